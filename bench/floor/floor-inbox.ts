/**
 * The floor's Durable Object: one per sender. It stores the message before the webhook is
 * acknowledged (the platform may forget it after the 200) and replies from its alarm, so a
 * reply survives a crash — the same guarantees as the gateway's SenderSession, nothing more.
 */
import { DurableObject } from "cloudflare:workers";
import { signBody } from "../../src/channels/shared/signed-webhook";

/** What the floor needs of an inbound message. */
export interface FloorMessage {
  /** The platform's message id; a repeat is a webhook retry and is not stored twice. */
  messageId: string;
  senderId: string;
  text: string;
}

const RETRY_DELAY_MS = 1000;

export class FloorInbox extends DurableObject<FloorEnv> {
  constructor(ctx: DurableObjectState, env: FloorEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS inbox (platform_id TEXT PRIMARY KEY, sender_id TEXT NOT NULL, text TEXT NOT NULL, replied INTEGER NOT NULL DEFAULT 0)",
    );
  }

  /** Persists the message (idempotent per platform id) and wakes the alarm that replies. */
  async receive(message: FloorMessage): Promise<{ duplicate: boolean }> {
    const inserted = this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO inbox (platform_id, sender_id, text) VALUES (?, ?, ?)",
      message.messageId,
      message.senderId,
      message.text,
    );
    if (inserted.rowsWritten === 0) return { duplicate: true };
    await this.ctx.storage.setAlarm(Date.now());
    return { duplicate: false };
  }

  override async alarm(): Promise<void> {
    const pending = this.ctx.storage.sql
      .exec<{ platform_id: string; sender_id: string; text: string }>("SELECT platform_id, sender_id, text FROM inbox WHERE replied = 0")
      .toArray();
    for (const row of pending) {
      const body = JSON.stringify({
        channelId: "floor",
        conversationId: row.sender_id,
        recipient: row.sender_id,
        text: `You said: ${row.text}`,
        inReplyTo: row.platform_id,
      });
      const headers = {
        "content-type": "application/json",
        "x-loopgate-delivery": `${row.platform_id}:0000`,
        ...(await signBody(this.env.FLOOR_SECRET, body, Date.now())),
      };
      const delivered = await fetch(this.env.FLOOR_CALLBACK_URL, { method: "POST", headers, body }).then(
        (res) => res.ok,
        () => false,
      );
      if (!delivered) {
        await this.ctx.storage.setAlarm(Date.now() + RETRY_DELAY_MS);
        return;
      }
      this.ctx.storage.sql.exec("UPDATE inbox SET replied = 1 WHERE platform_id = ?", row.platform_id);
    }
  }
}
