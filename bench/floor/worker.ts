/**
 * The floor Worker: `POST /hooks/floor` with the generic webhook's signature scheme
 * (X-Loopgate-Timestamp, X-Loopgate-Signature = sha256 HMAC of `timestamp.body`) and body
 * `{messageId, sender: {id}, text}`. What every gateway must do and nothing else, so the bench
 * can report the gateway's figures as multiples of it.
 */
import { checkSignature } from "../../src/channels/shared/signed-webhook";
import type { FloorMessage } from "./floor-inbox";

export { FloorInbox } from "./floor-inbox";

const MAX_BODY_BYTES = 256 * 1024;

function parseMessage(raw: string): FloorMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { messageId, sender, text } = value as { messageId?: unknown; sender?: { id?: unknown }; text?: unknown };
  if (typeof messageId !== "string" || !messageId || typeof text !== "string" || typeof sender?.id !== "string" || !sender.id) return null;
  return { messageId, senderId: sender.id, text };
}

export default {
  async fetch(request, env) {
    if (request.method !== "POST" || new URL(request.url).pathname !== "/hooks/floor")
      return Response.json({ error: "POST /hooks/floor only" }, { status: 404 });
    const raw = await request.text();
    if (raw.length > MAX_BODY_BYTES) return Response.json({ error: "body too large" }, { status: 413 });
    const signature = await checkSignature(env.FLOOR_SECRET, request.headers, raw, Date.now());
    if (!signature.ok) return Response.json({ error: signature.error }, { status: 401 });
    const message = parseMessage(raw);
    if (!message) return Response.json({ error: "expected {messageId, sender: {id}, text}" }, { status: 400 });
    const inbox = env.FLOOR_INBOX.get(env.FLOOR_INBOX.idFromName(message.senderId));
    const { duplicate } = await inbox.receive(message);
    return Response.json({ ok: true, accepted: duplicate ? 0 : 1, duplicates: duplicate ? 1 : 0 });
  },
} satisfies ExportedHandler<FloorEnv>;
