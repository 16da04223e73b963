/**
 * Stands in for js-base64 in the Worker bundle (see the `[alias]` in wrangler.toml). Only
 * mimetext imports it, and only for `Base64.encode` (a UTF-8 string as standard Base64, for MIME
 * bodies and attachments) and `Base64.encodeURI` (the same as unpadded Base64url, for the Gmail
 * style raw message). The runtime has TextEncoder and btoa, so these two are a few lines instead
 * of the library's polyfills and decoders (about 4 KiB minified). `base64-utf8.test.ts` holds
 * them to js-base64's own output.
 */

function encode(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  // Chunks keep String.fromCharCode's argument list short for large attachments.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function encodeURI(text: string): string {
  return encode(text).replace(/[+/=]/g, (c) => (c === "+" ? "-" : c === "/" ? "_" : ""));
}

export const Base64 = { encode, encodeURI };
