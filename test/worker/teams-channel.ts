/**
 * A Teams channel for the Worker tests under src/channels/teams: its own fake Bot Framework host
 * (OpenID metadata, key set, token endpoint and Connector), routed by the fetch spy since the
 * Worker shares the test's isolate, and the channel created through the admin API against it.
 */
import { SELF } from "cloudflare:test";
import { expect } from "vitest";
import { createTeamsFake } from "../../src/channels/teams/fake-bot-framework";
import { APP_ID } from "../../src/channels/teams/test-profile";
import { call, routeFetchTo } from "./helpers";

export interface TeamsChannelOptions {
  policy?: string;
  rateLimitPerMinute?: number;
  /** A single-tenant app: the fake issues and the channel accepts only this tenant's tokens. */
  tenantId?: string;
  /** The channel's `agent` settings (approvals ...). */
  agent?: Record<string, unknown>;
}

export async function createTeamsChannel(admin: string, extra: TeamsChannelOptions = {}) {
  const base = `https://bf-${crypto.randomUUID().slice(0, 8)}.fake`;
  const appPassword = `secret-${crypto.randomUUID()}`;
  const fake = await createTeamsFake({
    appId: APP_ID,
    appPassword,
    tenantId: extra.tenantId,
    baseUrl: base,
    deliverFetch: (url, init) => SELF.fetch(url, init),
  });
  routeFetchTo(`${base}/`, fake.handle);
  const config = { appId: APP_ID, appPassword, tenantId: extra.tenantId, openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`, loginBase: base };
  const created = await call<{ channel: { id: string; inboundUrl: string } }>(
    "POST",
    "/api/channels",
    { type: "teams", name: "teams", policy: extra.policy ?? "open", rateLimitPerMinute: extra.rateLimitPerMinute, config, agent: extra.agent },
    admin,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { fake, base, config, id: created.body.channel.id, url: created.body.channel.inboundUrl };
}
