/**
 * The frame of a platform channel's end-to-end file: the platform's fake served on 127.0.0.1,
 * `npm start` on the file's own port, and both stopped (the gateway's state removed) when the
 * file's tests end; plus creating a channel and running its setup the way an admin does.
 */
import { afterAll, beforeAll, expect } from "vitest";
import { type FetchHandler, serveFake } from "../fakes/http-fake-server";
import { type apiClient, type GatewayProcess, removeState, startGateway } from "./gateway-process";

export interface PlatformGateway {
  /** The running gateway; read it inside tests and hooks, once the file's beforeAll has run. */
  readonly gw: GatewayProcess;
  /** Base URL of the served fake, for the channel's apiBase. */
  readonly fakeUrl: string;
}

export interface PlatformGatewayOptions {
  port: number;
  /** The fake's handler, asked for in beforeAll (a fake may need to be built asynchronously first). */
  fake: () => FetchHandler | Promise<FetchHandler>;
  /** Gateway settings, asked for in beforeAll (after hooks registered earlier have run). */
  env?: () => Record<string, string>;
}

/** Registers the file's beforeAll/afterAll; the returned object is filled in when they run. */
export function platformGateway(options: PlatformGatewayOptions): PlatformGateway {
  let gw: GatewayProcess | undefined;
  let server: Awaited<ReturnType<typeof serveFake>> | undefined;
  beforeAll(async () => {
    server = await serveFake(await options.fake());
    gw = await startGateway({ port: options.port, env: options.env?.() });
  });
  afterAll(async () => {
    await gw?.stop();
    await server?.close();
    if (gw) removeState(gw.stateDir);
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the gateway and the fake start in beforeAll");
    return value;
  };
  return {
    get gw() {
      return started(gw);
    },
    get fakeUrl() {
      return started(server).url;
    },
  };
}

export interface CreatedChannel {
  id: string;
  inboundUrl: string;
  /** What the channel's setup did (webhook registration, command sync ...). */
  steps: string[];
}

/** POST /api/channels then its setup, failing the test unless the channel is created and set up. */
export async function createChannelWithSetup(api: ReturnType<typeof apiClient>, body: Record<string, unknown>): Promise<CreatedChannel> {
  const created = await api<{ channel: { id: string; inboundUrl: string } }>("POST", "/api/channels", body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { id, inboundUrl } = created.body.channel;
  const setup = await api<{ ok: boolean; steps: string[] }>("POST", `/api/channels/${id}/setup`, {});
  expect(setup.body, "channel setup").toMatchObject({ ok: true });
  return { id, inboundUrl, steps: setup.body.steps };
}
