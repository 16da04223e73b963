import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("answers health without auth", async () => {
  const res = await SELF.fetch("https://gw.test/api/health");
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok" });
});
