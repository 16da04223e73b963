/**
 * Secrets are write-only, so changing where a channel talks (its API root, callback URL, server,
 * bridge) must come with the secrets again: otherwise an admin session (or a stolen token) could
 * point `apiBase` at its own host and receive the stored bot token on the next setup or reply.
 * Runs over every channel type in the registry, through the admin API.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { endpointFieldsOf, HIDDEN_SECRET } from "../../src/channels/shared/config-codec";
import { profiledChannels, unprofiledTypes } from "./channel-profiles";
import { adminToken, call } from "./helpers";

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

/** Another place of the same kind: an attacker's URL or host, another port, TLS flipped, another bridge. */
function elsewhere(value: unknown): unknown {
  if (typeof value === "number") return value + 1;
  if (typeof value === "boolean") return !value;
  if (typeof value !== "string") return undefined;
  if (value.startsWith("brg_")) return "brg_elsewhere";
  if (/^@[^:]+:.+$/.test(value)) return `${value.split(":")[0]}:attacker.example`; // a Matrix user id names its homeserver
  if (URL.canParse(value)) return `https://attacker.example${new URL(value).pathname}`;
  return "attacker.example";
}

const storedConfig = async (id: string) => (await env.DB.prepare("SELECT config FROM channels WHERE id = ?").bind(id).first<{ config: string }>())!.config;

describe("changing where a channel talks", () => {
  it("every channel type has a test profile (src/channels/<platform>/test-profile.ts)", () => {
    expect(unprofiledTypes).toEqual([]);
  });

  for (const [i, { adapter, profile }] of profiledChannels.filter((c) => c.adapter.secretFields.length > 0).entries()) {
    it(`${adapter.type}: needs the secrets again, and keeps them when nothing moves`, async () => {
      // Each type is edited from its own address (as the edge reports it), so the API's per-client
      // rate limit counts one admin's edits of one channel, not the whole file's.
      const client = { "cf-connecting-ip": `198.51.100.${i + 1}` };
      const { config } = await profile.prepare();
      const created = await call<{ channel: { id: string; config: Record<string, unknown> }; generatedSecrets: Record<string, unknown> }>(
        "POST",
        "/api/channels",
        { type: adapter.type, name: `redirect-${adapter.type}`, config },
        admin,
        client,
      );
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const { id, config: shown } = created.body.channel;
      const secrets = {
        ...Object.fromEntries(adapter.secretFields.filter((f) => config[f] !== undefined).map((f) => [f, config[f]])),
        ...created.body.generatedSecrets,
      };
      expect(Object.keys(secrets).length, "the profile's config sets a secret").toBeGreaterThan(0);
      const fields = endpointFieldsOf(adapter, shown).filter((f) => elsewhere(shown[f]) !== undefined);
      expect(fields.length, "the profile's config names an endpoint").toBeGreaterThan(0);

      // The config as the API shows it (secrets hidden) goes back unchanged: nothing moves, secrets stay.
      const same = await call("PUT", `/api/channels/${id}`, { config: shown }, admin, client);
      expect(same.status, JSON.stringify(same.body)).toBe(200);

      for (const field of fields) {
        const before = await storedConfig(id);
        for (const hiddenOrOmitted of [shown, Object.fromEntries(Object.entries(shown).filter(([, v]) => v !== HIDDEN_SECRET))]) {
          const moved = await call<{ error: string }>(
            "PUT",
            `/api/channels/${id}`,
            { config: { ...hiddenOrOmitted, [field]: elsewhere(shown[field]) } },
            admin,
            client,
          );
          expect(moved.status, `${field}: ${JSON.stringify(moved.body)}`).toBe(400);
          expect(moved.body.error).toContain(field);
          expect(moved.body.error).toMatch(/again/);
          expect(await storedConfig(id)).toBe(before);
        }
        const withSecrets = await call<{ channel: { config: Record<string, unknown> } }>(
          "PUT",
          `/api/channels/${id}`,
          { config: { ...shown, ...secrets, [field]: elsewhere(shown[field]) } },
          admin,
          client,
        );
        expect(withSecrets.status, `${field} with the secrets: ${JSON.stringify(withSecrets.body)}`).toBe(200);
        expect(withSecrets.body.channel.config[field]).toEqual(elsewhere(shown[field]));
        // Back to the original place (with the secrets) for the next field.
        expect((await call("PUT", `/api/channels/${id}`, { config: { ...shown, ...secrets } }, admin, client)).status).toBe(200);
      }
    });
  }
});
