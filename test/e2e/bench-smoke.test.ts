/**
 * The bench in small (`npm run bench` is the full one): a few hundred signed webhooks from many
 * senders in parallel through the real gateway (`npm start`), each answered exactly once with a
 * correctly signed reply — nothing lost, nothing duplicated — and webhook retries (the same
 * message id sent again) acknowledged without a second reply. Nothing here is timed.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { benchMessage, defaultText, postWithRetries, runLoad } from "../../bench/lib/load";
import { type ReplySink, startReplySink } from "../../bench/lib/reply-sink";
import { type GatewayProcess, removeState, setupAdmin, startGateway, waitFor } from "../support/gateway-process";

const PORT = 8870;
const MESSAGES = 300;
const SENDERS = 30;
const RETRIED = 20;
const SECRET = "bench-smoke-secret-0123456789";

let gateway: GatewayProcess;
let sink: ReplySink;

beforeAll(async () => {
  sink = await startReplySink();
  gateway = await startGateway({ port: PORT, env: { RATE_LIMIT_PER_MINUTE: "10000", API_RATE_LIMIT_PER_MINUTE: "100000" } });
});

afterAll(async () => {
  await gateway?.stop();
  await sink?.close();
  if (gateway) removeState(gateway.stateDir);
});

it(`answers ${MESSAGES} messages from ${SENDERS} parallel senders exactly once each, retries included`, async () => {
  const { api } = await setupAdmin(gateway);
  const created = await api<{ channel: { id: string } }>("POST", "/api/channels", {
    type: "webhook",
    name: "bench smoke",
    policy: "open",
    rateLimitPerMinute: 10_000,
    config: { secret: SECRET, callbackUrl: sink.route("/smoke", SECRET) },
  });
  expect(created.status).toBe(201);
  const hookUrl = `${gateway.url}/hooks/${created.body.channel.id}`;

  const result = await runLoad({ hookUrl, secret: SECRET, sink, label: "smoke", senders: SENDERS, messages: MESSAGES, replyTimeoutMs: 60_000, settleMs: 0 });
  expect({
    messages: result.messages,
    lost: result.lost,
    duplicated: result.duplicated,
    mismatched: result.mismatched,
    unacknowledged: result.unacknowledged,
  }).toEqual({
    messages: MESSAGES,
    lost: 0,
    duplicated: 0,
    mismatched: 0,
    unacknowledged: 0,
  });
  expect(result.replyMs).toHaveLength(MESSAGES);

  // A platform that did not see our 200 sends the same message again: acknowledged, not answered twice.
  const text = defaultText("smoke");
  for (let s = 0; s < RETRIED; s++) {
    const again = JSON.stringify(benchMessage("smoke", s, 0, text(s, 0)));
    expect(await postWithRetries(hookUrl, SECRET, again, () => undefined)).not.toBeNull();
  }
  // Then one more message per sender, answered: each sender's earlier messages, retries
  // included, are settled by then (see test/support/after-control.ts), so the counts are final.
  const perSender = MESSAGES / SENDERS;
  for (let s = 0; s < SENDERS; s++) {
    const control = JSON.stringify(benchMessage("smoke", s, perSender, text(s, perSender)));
    expect(await postWithRetries(hookUrl, SECRET, control, () => undefined)).not.toBeNull();
  }
  await waitFor(
    async () => Array.from({ length: SENDERS }, (_, s) => sink.repliesTo(`smoke-${s}-${perSender}`).length).every((n) => n === 1),
    60_000,
    "the control replies",
  );
  for (let s = 0; s < SENDERS; s++) for (let i = 0; i < perSender; i++) expect(sink.repliesTo(`smoke-${s}-${i}`), `replies to smoke-${s}-${i}`).toHaveLength(1);
  expect(sink.counts()).toMatchObject({ replies: MESSAGES + SENDERS, duplicateReplies: 0, rejected: 0 });
}, 240_000);
