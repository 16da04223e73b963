/**
 * Approval prompts on Discord (docs/agent.md, "Tool approvals"): the prompt carries an action
 * row with Approve and Deny buttons (`custom_id` `apr:<id>:y|n`); a click arrives as a
 * MESSAGE_COMPONENT interaction, signed with Ed25519 like every interaction, and is answered in
 * the interaction response itself: UPDATE_MESSAGE (the prompt gains the decision and loses its
 * buttons) for a decision, an ephemeral note to the presser otherwise.
 * https://discord.com/developers/docs/interactions/message-components
 */
import * as z from "zod";
import { decidedLine, undecidedNote } from "../shared/approval-words";
import type { ApprovalOutcome, ApprovalPress } from "../shared/types";

export const MESSAGE_COMPONENT = 3;
export const UPDATE_MESSAGE = 7;
const ACTION_ROW = 1;
const BUTTON = 2;
const SUCCESS = 3;
const DANGER = 4;
const CUSTOM_ID = /^apr:(evt_[0-9a-z]{1,40}):([yn])$/;

export function approvalComponents(approvalId: string): unknown[] {
  return [
    {
      type: ACTION_ROW,
      components: [
        { type: BUTTON, style: SUCCESS, label: "Approve", custom_id: `apr:${approvalId}:y` },
        { type: BUTTON, style: DANGER, label: "Deny", custom_id: `apr:${approvalId}:n` },
      ],
    },
  ];
}

const user = z.looseObject({ id: z.string(), username: z.string().optional(), global_name: z.string().nullish() });
const componentInteraction = z.looseObject({
  type: z.literal(MESSAGE_COMPONENT),
  member: z.looseObject({ user }).optional(),
  user: user.optional(),
  data: z.looseObject({ custom_id: z.string().max(100) }),
  message: z.looseObject({ content: z.string().optional() }).optional(),
});

/** A button click: the press when it is one of ours, with the prompt's text to extend. */
export function approvalClick(value: unknown): { press: ApprovalPress; content: string } | { invalid: string } | null {
  const parsed = componentInteraction.safeParse(value);
  if (!parsed.success) return { invalid: "component interaction is malformed" };
  const i = parsed.data;
  const m = CUSTOM_ID.exec(i.data.custom_id);
  const presser = i.member?.user ?? i.user;
  if (!m?.[1] || !presser) return null;
  const name = presser.global_name ?? presser.username;
  return {
    press: { approvalId: m[1], approve: m[2] === "y", deciderId: presser.id, ...(name ? { deciderName: name } : {}) },
    content: i.message?.content ?? "",
  };
}

/** The interaction's answer: the updated prompt for a decision, an ephemeral note otherwise. */
export function clickResponse(outcome: ApprovalOutcome, press: ApprovalPress, content: string, ephemeral: number): Record<string, unknown> {
  if (outcome.kind === "decided") {
    const line = decidedLine(outcome.decision, `<@${press.deciderId}>`, { approved: "✅", denied: "❌" });
    return { type: UPDATE_MESSAGE, data: { content: `${content}\n\n${line}`.slice(0, 2000), components: [], allowed_mentions: { parse: [] } } };
  }
  return { type: 4, data: { content: undecidedNote(outcome), flags: ephemeral } };
}
