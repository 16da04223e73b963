/**
 * The D1 fault hook (src/db/fault-hook.ts) is compiled in only for the fault suite: in any other
 * build — this one, like `wrangler deploy` — it is off, D1 is used untouched, and the control
 * route is an ordinary API path that answers 401 to strangers and 404 to admins.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { faultHookCompiledIn, withFaults } from "../../src/db/fault-hook";
import { openDb } from "../../src/db/client";
import { adminToken, call } from "./helpers";

describe("the D1 fault hook outside the fault suite", () => {
  it("is not compiled in, and the control route does not exist", async () => {
    expect(faultHookCompiledIn()).toBe(false);
    const anon = await call("PUT", "/api/__faults", { writes: 5, mode: "error" });
    expect(anon.status).toBe(401);
    const token = await adminToken();
    const admin = await call("PUT", "/api/__faults", { writes: 5, mode: "error" }, token);
    expect(admin.status).toBe(404);
    // Writes still work: nothing was armed.
    expect((await call("GET", "/api/channels", undefined, token)).status).toBe(200);
  });

  it("openDb hands drizzle the binding itself, not the wrapper", async () => {
    const db = openDb(env.DB);
    const wrapped = withFaults(env.DB);
    expect(wrapped).not.toBe(env.DB);
    expect(await db.run("SELECT 1")).toBeTruthy();
    // drizzle keeps its client as `session.client`; outside the suite it is the D1 binding.
    expect((db as unknown as { session: { client: unknown } }).session.client).toBe(env.DB);
  });
});
