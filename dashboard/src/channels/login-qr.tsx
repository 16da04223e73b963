/**
 * What a bridged channel needs from the admin to log in: a bridge reports a login QR payload
 * as the channel's statusDetail while it is needs_login (WhatsApp Web's pairing code; a device
 * link URI works the same way). It is drawn here as a scannable QR code, an SVG image built in
 * the page, so the string never leaves the browser. WhatsApp replaces the code every 20 seconds
 * or so; the Channels screen reloads often while a login waits.
 */
import QRCode from "qrcode";
import { useEffect, useState } from "preact/hooks";

const HOW_TO_SCAN: Record<string, string> = {
  "whatsapp-web": "On the phone: WhatsApp → Settings → Linked devices → Link a device, then scan this code.",
};

export function LoginQr({ value, label, channelType }: { value: string; label: string; channelType: string }) {
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    QRCode.toString(value, { type: "svg", errorCorrectionLevel: "L", margin: 2 })
      .then((svg) => {
        if (current) setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
      })
      .catch((err: Error) => current && setError(err.message));
    return () => {
      current = false;
    };
  }, [value]);

  if (error) return <p class="banner error">Cannot draw the QR code: {error}</p>;
  if (!src) return null;
  return (
    <figure class="login-qr">
      <img src={src} alt={label} data-qr={value} width={264} height={264} />
      <figcaption class="muted">
        {HOW_TO_SCAN[channelType] ?? "Scan this code with the platform's app to link the device; the channel connects once it is scanned."}
      </figcaption>
    </figure>
  );
}
