/**
 * Approval prompts on Telegram (docs/agent.md, "Tool approvals"): the prompt carries an inline
 * keyboard with Approve and Deny (`callback_data` `apr:<id>:y|n`, within Telegram's 64 bytes);
 * a press arrives as a `callback_query` update, is answered with answerCallbackQuery (Telegram
 * shows a spinner until then), and the prompt is edited to show the decision, which also removes
 * the buttons. https://core.telegram.org/bots/api#callbackquery
 */
import type { Api } from "grammy/web";
import type { InlineKeyboardMarkup, Update } from "grammy/types";
import { decidedLine, undecidedNote } from "../shared/approval-words";
import type { ApprovalOutcome, ApprovalPress } from "../shared/types";

const DATA = /^apr:(evt_[0-9a-z]{1,40}):([yn])$/;

export function approvalKeyboard(approvalId: string): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        { text: "✅ Approve", callback_data: `apr:${approvalId}:y` },
        { text: "❌ Deny", callback_data: `apr:${approvalId}:n` },
      ],
    ],
  };
}

type CallbackQuery = NonNullable<Update["callback_query"]>;

/** The press in a callback_query update; null for any other button (or data that is not ours). */
export function approvalPressOf(query: CallbackQuery): ApprovalPress | null {
  const m = DATA.exec(query.data ?? "");
  if (!m?.[1]) return null;
  const name = [query.from.first_name, query.from.last_name].filter(Boolean).join(" ") || query.from.username;
  return { approvalId: m[1], approve: m[2] === "y", deciderId: String(query.from.id), ...(name ? { deciderName: name } : {}) };
}

/** The line the prompt gains once decided, and the toast the presser sees. */
export function outcomeWords(outcome: ApprovalOutcome, press: ApprovalPress): { toast: string; line: string | null } {
  const who = press.deciderName ?? press.deciderId;
  if (outcome.kind !== "decided") return { toast: undecidedNote(outcome), line: null };
  return { toast: outcome.decision === "approved" ? "Approved" : "Denied", line: decidedLine(outcome.decision, who, { approved: "✅", denied: "❌" }) };
}

/**
 * Tells the presser what happened: the callback is always answered; a decision also edits the
 * prompt (its text plus the decision, without buttons). Failures of these calls are not the
 * press's failure: the decision is stored either way, so they are swallowed.
 */
export async function answerPress(
  api: Pick<Api, "answerCallbackQuery" | "editMessageText">,
  query: CallbackQuery,
  press: ApprovalPress,
  outcome: ApprovalOutcome,
) {
  const { toast, line } = outcomeWords(outcome, press);
  await api.answerCallbackQuery(query.id, { text: toast, show_alert: outcome.kind === "refused" }).catch(() => undefined);
  const message = query.message;
  if (line && message && "text" in message && message.text !== undefined)
    await api.editMessageText(message.chat.id, message.message_id, `${message.text}\n\n${line}`).catch(() => undefined);
}
