/**
 * Approval prompts on Teams (docs/agent.md, "Tool approvals"): the prompt goes out as an
 * Adaptive Card whose Approve and Deny buttons are `Action.Submit` actions carrying the approval
 * id in `data`. A press arrives as a `message` activity with that data as its `value` and the
 * card's activity as `replyToId`, signed with the Bot Framework JWT like every activity. A
 * decision replaces the card (PUT to the card's activity) with the prompt and the decision, and no
 * buttons; a press that decides nothing is answered with a note in the conversation (bots have no
 * message only the presser sees).
 * https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model
 * https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#update-activity
 */
import * as z from "zod";
import { decidedLine, undecidedNote } from "../shared/approval-words";
import type { ApprovalOutcome, ApprovalPress } from "../shared/types";
import type { Activity } from "./activity";
import { toTeamsMarkdown } from "./format";

/** Marks the buttons' data as ours, so other cards' submits are not read as presses. */
export const APPROVAL_ACTION = "loopgate.approval";
const APPROVAL_ID = /^evt_[0-9a-z]{1,40}$/;
const CARD_TYPE = "application/vnd.microsoft.card.adaptive";
/**
 * A press does not bring the card back, and the Connector cannot read an activity: the buttons
 * carry the prompt's text (cut here, so card plus two copies stay well inside Teams' 28 KB) for
 * the decided card to repeat.
 */
const MAX_PROMPT_IN_DATA = 2000;

type Card = Record<string, unknown>;

function card(text: string, actions: Card[]): Card {
  return {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    // 1.4 is the newest version Teams renders on every client for bot cards with Action.Submit.
    version: "1.4",
    body: [{ type: "TextBlock", text: toTeamsMarkdown(text), wrap: true }],
    ...(actions.length ? { actions } : {}),
  };
}

/** The prompt's activity: the text as a card with Approve and Deny, the text again as the summary for notifications. */
export function approvalActivity(text: string, approvalId: string, replyToId?: string): Record<string, unknown> {
  const button = (title: string, approve: boolean, style: string) => ({
    type: "Action.Submit",
    title,
    style,
    data: { action: APPROVAL_ACTION, approvalId, approve, prompt: text.slice(0, MAX_PROMPT_IN_DATA) },
  });
  return {
    type: "message",
    ...(replyToId ? { replyToId } : {}),
    summary: text.slice(0, 200),
    attachments: [{ contentType: CARD_TYPE, content: card(text, [button("Approve", true, "positive"), button("Deny", false, "destructive")]) }],
  };
}

/** The card after a decision: the prompt's text and the decision line, without buttons. */
export function decidedActivity(text: string, decision: "approved" | "denied", who: string): Record<string, unknown> {
  const line = decidedLine(decision, who, { approved: "✅", denied: "❌" });
  return { type: "message", attachments: [{ contentType: CARD_TYPE, content: card(`${text}\n\n${line}`, []) }] };
}

/** The note for a press that decided nothing, as a reply to the card. */
export function undecidedActivity(outcome: Exclude<ApprovalOutcome, { kind: "decided" }>, replyToId?: string): Record<string, unknown> {
  return { type: "message", ...(replyToId ? { replyToId } : {}), text: undecidedNote(outcome), textFormat: "plain" };
}

const submitValue = z.looseObject({
  action: z.literal(APPROVAL_ACTION),
  approvalId: z.string(),
  approve: z.boolean(),
  prompt: z.string().max(MAX_PROMPT_IN_DATA).optional(),
});

export type TeamsPress =
  /** `cardActivityId`: the card's activity, to replace; `prompt`: its text, from the button's data. */
  | { kind: "press"; press: ApprovalPress; cardActivityId?: string; prompt: string }
  | { kind: "invalid"; error: string }
  /** Not a press of our buttons: the activity is handled as any other. */
  | { kind: "none" };

/** A message activity carrying an approval button's data, read as a press. */
export function approvalPressOf(activity: Activity): TeamsPress {
  if (activity.type !== "message" || activity.value === undefined) return { kind: "none" };
  const value = activity.value as { action?: unknown } | null;
  if (typeof value !== "object" || value === null || value.action !== APPROVAL_ACTION) return { kind: "none" };
  const parsed = submitValue.safeParse(value);
  if (!parsed.success || !APPROVAL_ID.test(parsed.data.approvalId)) return { kind: "invalid", error: "approval button data is malformed" };
  const from = activity.from;
  if (!from) return { kind: "invalid", error: "approval press without from" };
  return {
    kind: "press",
    cardActivityId: activity.replyToId,
    prompt: parsed.data.prompt ?? "Tool approval",
    press: {
      approvalId: parsed.data.approvalId,
      approve: parsed.data.approve,
      // The same id a message from this person carries (activity.ts), so the approver matches.
      deciderId: from.aadObjectId ?? from.id,
      ...(from.name ? { deciderName: from.name } : {}),
    },
  };
}
