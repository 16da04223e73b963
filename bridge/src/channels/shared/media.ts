/**
 * Which attachment bytes a bridge channel should fetch at all: those the model reads (pictures,
 * PDFs, text, voice) within the default media limits (src/channels/shared/media-limits.ts),
 * judged on the type and size the platform declared. Others are described only; the gateway
 * names them or refuses them with a clear reply from the declared size, and its upload endpoint
 * applies its own configured limits again.
 */
import { checkBeforeDownload, DEFAULT_MEDIA_LIMITS } from "../../../../src/channels/shared/media-limits";
import type { BridgeInboundMessage } from "../../../../src/protocol/bridge";

type Attachment = NonNullable<BridgeInboundMessage["attachments"]>[number];

/** The most bytes to read for this attachment, or null when it is not to be fetched. */
export function wantedBytes(attachment: Attachment): number | null {
  const check = checkBeforeDownload(attachment, DEFAULT_MEDIA_LIMITS);
  return check.ok && check.kind !== "other" ? check.maxBytes : null;
}
