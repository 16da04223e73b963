/**
 * The public contract for channel plugin packages, imported as `loopgate/plugin-kit`
 * (package.json `exports`; wrangler.toml and the test configs alias it to this file).
 * Everything a plugin needs and nothing else: the adapter interface and the shapes it
 * receives and returns (stage 1 verify, stage 8 send), zod for its config schema, and the
 * helpers the built-in channels use for bodies, signatures and delivery results.
 * Loopgate keeps this surface stable; plugins must not import any other Loopgate module.
 * See docs/channels/plugins.md.
 */
export type {
  Attachment,
  ChannelAdapter,
  ChannelContext,
  FetchedAttachment,
  InboundMessage,
  OutboundMessage,
  SendResult,
  VerifyResult,
} from "./shared/types";
export type { ChannelModuleExport } from "./shared/module";

/** Loopgate's own zod, so a plugin's configSchema is the kind the gateway can read and describe. */
export { z } from "zod";

/** Request bodies: capped reading (413 over 256 KiB) and JSON parsing that never throws. */
export { MAX_WEBHOOK_BODY_BYTES, parseJson, readBody, type BodyResult } from "./shared/read-body";
/** A platform's HTTP answer as a SendResult (429/5xx retryable, Retry-After honoured); network errors as retryable. */
export { networkSafe, retryAfterMs, sendResultFromResponse } from "./shared/send-result";
/** Loopgate's own signed-webhook scheme (x-loopgate-signature), for platforms a plugin author controls. */
export { checkSignature, signBody, type SignatureCheck } from "./shared/signed-webhook";
/** Constant-time comparison: use it for every secret, token or signature check. */
export { timingSafeEqual } from "../crypto/compare";
/** HMAC-SHA256 for platforms that sign their webhooks. */
export { hmacSha256, hmacSha256Hex, verifyHmacSha256Hex } from "../crypto/hmac";
/** Random secrets, e.g. for prepareConfig to generate a webhook token. */
export { randomToken } from "../crypto/random";
/** How the gateway splits long replies by maxMessageLength; exported for plugins that format chunks themselves. */
export { splitText } from "../lib/split-text";
/** The Worker side of a socket channel the bridge runs (a plugin's `loopgate.bridge` entry runs the connection). */
export { bridgeIdField, createBridgedAdapter, type BridgedAdapterOptions } from "./shared/bridged";
