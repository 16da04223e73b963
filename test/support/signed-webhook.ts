/** Signs generic-webhook requests the way an integrator would: HMAC-SHA256 over `timestamp.body`. */
import { createHmac } from "node:crypto";

export function signedHeaders(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return { "content-type": "application/json", "x-loopgate-timestamp": String(timestamp), "x-loopgate-signature": `sha256=${signature}` };
}

export async function postWebhook(url: string, secret: string, payload: unknown, timestamp?: number): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, { method: "POST", headers: signedHeaders(secret, body, timestamp), body });
}
