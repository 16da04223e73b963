/**
 * The two Zulip REST calls the channel makes, authenticated with HTTP basic auth as
 * bot-email:api-key (https://zulip.com/api/http-headers): GET /api/v1/users/me to check the
 * credentials at setup, POST /api/v1/messages (form-encoded) to send a reply.
 */
import { networkSafe, type SendResult, sendResultFromResponse } from "loopgate/plugin-kit";
import type { ZulipRoute } from "./outgoing";

export interface ZulipCredentials {
  /** The organisation's URL, e.g. https://example.zulipchat.com. */
  site: string;
  botEmail: string;
  apiKey: string;
}

function authorization({ botEmail, apiKey }: ZulipCredentials): string {
  const bytes = new TextEncoder().encode(`${botEmail}:${apiKey}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

function endpoint(site: string, path: string): string {
  return `${site.replace(/\/+$/, "")}/api/v1/${path}`;
}

/** POST /api/v1/messages; the new message's id on success. */
export function sendMessage(creds: ZulipCredentials, route: ZulipRoute, content: string, doFetch: typeof fetch): Promise<SendResult> {
  return networkSafe(async () => {
    const form = new URLSearchParams({ type: route.type, to: route.to, content });
    if (route.type === "stream") form.set("topic", route.topic);
    const res = await doFetch(endpoint(creds.site, "messages"), {
      method: "POST",
      headers: { authorization: authorization(creds), "content-type": "application/x-www-form-urlencoded" },
      body: form,
    });
    if (!res.ok) return sendResultFromResponse(res);
    const body = (await res.json().catch(() => null)) as { result?: string; id?: number } | null;
    if (body?.result !== "success") return { ok: false, retryable: false, error: `Zulip answered ${JSON.stringify(body).slice(0, 200)}` };
    return { ok: true, platformMessageId: String(body.id) };
  });
}

/** GET /api/v1/users/me: who the credentials belong to, or why they do not work. */
export async function whoAmI(
  creds: ZulipCredentials,
  doFetch: typeof fetch,
): Promise<{ ok: true; email: string; isBot: boolean } | { ok: false; error: string }> {
  try {
    const res = await doFetch(endpoint(creds.site, "users/me"), { headers: { authorization: authorization(creds) } });
    const body = (await res.json().catch(() => null)) as { result?: string; msg?: string; email?: string; is_bot?: boolean } | null;
    if (!res.ok || body?.result !== "success") return { ok: false, error: `HTTP ${res.status}: ${body?.msg ?? "no answer"}` };
    return { ok: true, email: String(body.email), isBot: body.is_bot === true };
  } catch (err) {
    return { ok: false, error: `network error: ${err instanceof Error ? err.message : String(err)}` };
  }
}
