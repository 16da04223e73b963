/**
 * Approval prompts on Slack (docs/agent.md, "Tool approvals"): the prompt is posted with Block Kit
 * Approve and Deny buttons (action ids `approval_approve` / `approval_deny`, the approval id as
 * the value); a click arrives at the same Request URL as a signed `block_actions` interaction
 * (form-encoded `payload=`), verified like every Slack request. The decision replaces the prompt
 * (chat.update, without buttons); a refused or late press is told to the presser only
 * (chat.postEphemeral). https://docs.slack.dev/reference/interaction-payloads/block_actions-payload
 */
import * as z from "zod";
import { decidedLine, undecidedNote } from "../shared/approval-words";
import type { ApprovalOutcome, ApprovalPress } from "../shared/types";
import { slackCall, type SlackClient } from "./api";

const APPROVE = "approval_approve";
const DENY = "approval_deny";
/** A section's text holds at most 3000 characters (Block Kit). */
const MAX_SECTION_TEXT = 3000;

/** The prompt's blocks: its text, then the two buttons. */
export function approvalBlocks(mrkdwn: string, approvalId: string): unknown[] {
  return [
    { type: "section", text: { type: "mrkdwn", text: mrkdwn.slice(0, MAX_SECTION_TEXT) } },
    {
      type: "actions",
      block_id: `approval:${approvalId}`,
      elements: [
        { type: "button", action_id: APPROVE, text: { type: "plain_text", text: "Approve" }, style: "primary", value: approvalId },
        { type: "button", action_id: DENY, text: { type: "plain_text", text: "Deny" }, style: "danger", value: approvalId },
      ],
    },
  ];
}

/** The fields of a block_actions payload the gateway reads. */
const blockActions = z.looseObject({
  type: z.literal("block_actions"),
  user: z.looseObject({ id: z.string(), name: z.string().optional(), username: z.string().optional() }),
  container: z.looseObject({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  message: z.looseObject({ text: z.string().optional(), ts: z.string().optional() }).optional(),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })),
});
export type BlockActions = z.infer<typeof blockActions>;

export type Interaction =
  | { kind: "press"; press: ApprovalPress; payload: BlockActions }
  | { kind: "ignored"; reason: string }
  | { kind: "invalid"; error: string };

/** An interaction request's form body (`payload=<json>`), read as an approval press when it is one. */
export function parseInteraction(raw: string): Interaction {
  const field = new URLSearchParams(raw).get("payload");
  if (field === null) return { kind: "invalid", error: "interaction without a payload field" };
  let json: unknown;
  try {
    json = JSON.parse(field);
  } catch {
    return { kind: "invalid", error: "interaction payload is not JSON" };
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (type !== "block_actions") return { kind: "ignored", reason: `interaction ${String(type)} is not handled` };
  const parsed = blockActions.safeParse(json);
  if (!parsed.success) return { kind: "invalid", error: "block_actions payload is malformed" };
  const action = parsed.data.actions.find((a) => a.action_id === APPROVE || a.action_id === DENY);
  if (!action?.value || !/^evt_[0-9a-z]{1,40}$/.test(action.value)) return { kind: "ignored", reason: "not an approval button" };
  const { user } = parsed.data;
  const name = user.name ?? user.username;
  return {
    kind: "press",
    payload: parsed.data,
    press: { approvalId: action.value, approve: action.action_id === APPROVE, deciderId: user.id, ...(name ? { deciderName: name } : {}) },
  };
}

/** Tells the presser: a decision replaces the prompt (text plus decision, no buttons); anything else is an ephemeral note to them. */
export async function answerSlackPress(client: SlackClient, payload: BlockActions, press: ApprovalPress, outcome: ApprovalOutcome): Promise<void> {
  const channel = payload.container?.channel_id ?? payload.channel?.id;
  const ts = payload.container?.message_ts ?? payload.message?.ts;
  if (!channel) return;
  const who = press.deciderName ? `<@${press.deciderId}>` : press.deciderId;
  try {
    if (outcome.kind === "decided" && ts) {
      const line = decidedLine(outcome.decision, who, { approved: ":white_check_mark:", denied: ":x:" });
      const text = `${payload.message?.text ?? "Approval"}\n\n${line}`;
      await slackCall(client, "chat.update", {
        channel,
        ts,
        text,
        blocks: [{ type: "section", text: { type: "mrkdwn", text: text.slice(0, MAX_SECTION_TEXT) } }],
      });
      return;
    }
    if (outcome.kind === "decided") return; // decided without the prompt's ts: nothing to replace
    await slackCall(client, "chat.postEphemeral", { channel, user: press.deciderId, text: undecidedNote(outcome) });
  } catch {
    // The decision is stored either way; only the presser's feedback is lost.
  }
}
