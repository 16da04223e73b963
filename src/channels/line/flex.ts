/**
 * Structured replies as LINE Flex Messages (stage 8), as the earlier product sent them: the
 * pairing instructions put the code in large type, and a scheduled job's result gets a card
 * with the job's name as its header. Everything else is a plain text message.
 * https://developers.line.biz/en/docs/messaging-api/using-flex-messages/
 */
import { markdownToPlainText } from "../shared/plain-text";

/** A LINE message object as the reply and push endpoints take it. */
export type LineMessageObject = { type: "text"; text: string } | { type: "flex"; altText: string; contents: Record<string, unknown> };

/** Flex `altText` is shown in notifications and chat lists; LINE caps it at 400 characters. */
const MAX_ALT_TEXT = 400;
/** Past this a job result is easier to read as a plain message than as a card. */
const MAX_CARD_TEXT = 2000;

/** The gateway's pairing notice (src/pipeline/notices.ts) carries its code in this phrase. */
const PAIRING_CODE = /Your pairing code is ([A-Z0-9]{4,12})\b/;
/** Scheduled job results are delivered as `[job name] output` (src/scheduler/run-job.ts). */
const JOB_RESULT = /^\[([^\]\n]{1,100})\] ([\s\S]+)$/;

function text(value: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: "text", text: value, wrap: true, ...extra };
}

function bubble(header: string, body: Record<string, unknown>[]): Record<string, unknown> {
  return {
    type: "bubble",
    header: { type: "box", layout: "vertical", contents: [text(header, { weight: "bold", size: "md", color: "#1f6feb" })] },
    body: { type: "box", layout: "vertical", spacing: "md", contents: body },
  };
}

function flex(altText: string, contents: Record<string, unknown>): LineMessageObject {
  return { type: "flex", altText: altText.length > MAX_ALT_TEXT ? `${altText.slice(0, MAX_ALT_TEXT - 1)}…` : altText, contents };
}

export function pairingFlex(notice: string, code: string): LineMessageObject {
  return flex(
    notice,
    bubble("Pairing needed", [
      text("This assistant only answers approved senders. Your pairing code:", { size: "sm" }),
      text(code, { size: "xxl", weight: "bold", align: "center" }),
      text(notice.slice(notice.indexOf(code) + code.length).replace(/^\s*/, ""), { size: "xs", color: "#666666" }),
    ]),
  );
}

export function jobResultFlex(name: string, output: string): LineMessageObject {
  const body = markdownToPlainText(output);
  return flex(`[${name}] ${body}`, bubble(name, [text(body, { size: "sm" })]));
}

/**
 * The LINE message for one reply chunk. `isNotice` marks chunks the gateway itself queued
 * outside a turn (job results, approvals); `firstChunk` keeps a split reply's later parts plain.
 */
export function lineMessageFor(chunk: string, opts: { isNotice: boolean; firstChunk: boolean }): LineMessageObject {
  const pairing = PAIRING_CODE.exec(chunk);
  if (pairing?.[1]) return pairingFlex(chunk, pairing[1]);
  const job = opts.isNotice && opts.firstChunk ? JOB_RESULT.exec(chunk) : null;
  if (job?.[1] && job[2] && job[2].length <= MAX_CARD_TEXT) return jobResultFlex(job[1], job[2]);
  return { type: "text", text: markdownToPlainText(chunk) };
}
