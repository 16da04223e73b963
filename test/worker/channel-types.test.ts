/**
 * Every platform folder is offered to the admin: GET /api/channels/types lists each channel type
 * the build found, with a config schema the dashboard can turn into a form whose every field a
 * person can read (a title for its label, a description for its help text), and nothing failed
 * to load.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { adminToken, call } from "./helpers";

const EXPECTED = [
  "discord",
  "discord-gateway",
  "email",
  "email-imap",
  "feishu",
  "google-chat",
  "imessage",
  "irc",
  "line",
  "mattermost",
  "mattermost-ws",
  "nostr",
  "signal",
  "slack",
  "slack-socket",
  "teams",
  "telegram",
  "telegram-polling",
  "twitch",
  "webhook",
  "whatsapp",
  "whatsapp-web",
];

interface TypeInfo {
  type: string;
  description: string;
  configSchema: { type?: string; properties?: Record<string, { title?: string; description?: string }> };
}

let token: string;
beforeAll(async () => {
  token = await adminToken();
});

describe("channel types on offer", () => {
  it("lists every built-in platform, with nothing left out for a load error", async () => {
    const res = await call<{ types: TypeInfo[]; loadErrors: unknown[] }>("GET", "/api/channels/types", undefined, token);
    expect(res.status).toBe(200);
    expect(res.body.loadErrors).toEqual([]);
    expect(res.body.types.map((t) => t.type)).toEqual(expect.arrayContaining(EXPECTED));
  });

  it("gives each type a form: an object schema whose every field has a title and says what it is", async () => {
    const res = await call<{ types: TypeInfo[] }>("GET", "/api/channels/types", undefined, token);
    const undescribed = res.body.types.flatMap((t) => {
      const fields = Object.entries(t.configSchema.properties ?? {});
      expect(t.configSchema.type, t.type).toBe("object");
      expect(fields.length, `${t.type} has no fields`).toBeGreaterThan(0);
      expect(t.description.length, `${t.type} has no description`).toBeGreaterThan(10);
      return fields.filter(([, f]) => !f.title || !f.description).map(([name]) => `${t.type}.${name}`);
    });
    expect(undescribed).toEqual([]);
  });
});
