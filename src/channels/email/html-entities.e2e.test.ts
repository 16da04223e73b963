/**
 * An HTML-only e-mail through the Worker as it is really built (`npm start`): its text reaches
 * the pipeline with HTML 4's named references decoded (src/channels/email/html.ts, with the table
 * the bundle also gives postal-mime through wrangler's `[alias]`) and any other name as written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../../../test/support/gateway-process";

const PORT = 10620;
const ADDRESS = "mary@example.net";
const SENDER = "jdoe@machine.example";

const htmlOnly = [
  "Authentication-Results: mx.cloudflare.net; dkim=pass header.d=machine.example header.s=s1 header.b=Ux3a4R2b; dmarc=pass header.from=machine.example policy.dmarc=reject; spf=pass smtp.mailfrom=jdoe@machine.example",
  "From: John Doe <jdoe@machine.example>",
  "To: Mary Smith <mary@example.net>",
  "Subject: Entities",
  "Date: Fri, 21 Nov 1997 09:55:06 -0600",
  "Message-ID: <entities-1@local.machine.example>",
  "MIME-Version: 1.0",
  "Content-Type: text/html; charset=utf-8",
  "",
  "<html><body><p>Caf&eacute; &rarr; 5&euro; &mdash; &ldquo;fine&rdquo; &amp; &Afr; done</p></body></html>",
  "",
].join("\r\n");

describe("an HTML-only e-mail against npm start", () => {
  let gw: GatewayProcess;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    gw = await startGateway({ port: PORT });
    api = (await setupAdmin(gw)).api;
    const created = await api("POST", "/api/channels", { type: "email", name: "Mail", policy: "open", config: { address: ADDRESS } });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await gw?.stop();
    if (gw) removeState(gw.stateDir);
  });

  it("reaches the pipeline with HTML 4's names decoded and any other name as written", async () => {
    const url = `${gw.url}/cdn-cgi/handler/email?${new URLSearchParams({ from: SENDER, to: ADDRESS })}`;
    expect((await fetch(url, { method: "POST", body: htmlOnly })).status).toBe(200);
    let text: string | undefined;
    await waitFor(
      async () => {
        const res = await api<{ messages: { direction: string; text: string }[] }>("GET", "/api/messages?limit=10");
        text = res.body.messages.find((m) => m.direction === "in")?.text;
        return text !== undefined;
      },
      30_000,
      "the stored mail",
    );
    expect(text).toContain("Café → 5€ — “fine” & &Afr; done");
  });
});
