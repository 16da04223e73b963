/**
 * Teams approvals, unit layer: the prompt's card passes the fake's Adaptive Card checks (which
 * refuse what Teams would), a submit activity (the assembled fixture) is read as a press by the
 * person's Entra id, and other cards' submits or malformed data are told apart.
 */
import { describe, expect, it } from "vitest";
import { activitySchema } from "./activity";
import { approvalActivity, approvalPressOf, decidedActivity } from "./approval";
import { adaptiveCardProblem } from "./fake-card-check";
import cardSubmit from "./fixtures/card-submit.json";

const contentOf = (activity: Record<string, unknown>) => (activity.attachments as { content: Record<string, unknown> }[])[0]!.content;

describe("Teams approval cards", () => {
  it("the prompt and the decided card are cards Teams accepts; the decided one has no buttons", () => {
    const prompt = contentOf(approvalActivity("I would like to run schedule_job", "evt_abc123"));
    expect(adaptiveCardProblem(prompt)).toBeNull();
    expect(prompt.actions).toHaveLength(2);
    const decided = contentOf(decidedActivity("I would like to run schedule_job", "approved", "Megan Bowen"));
    expect(adaptiveCardProblem(decided)).toBeNull();
    expect(decided.actions).toBeUndefined();
    expect(JSON.stringify(decided.body)).toContain("✅ Approved by Megan Bowen");
  });

  it("the fake refuses cards Teams would not render", () => {
    const good = contentOf(approvalActivity("run?", "evt_abc123"));
    expect(adaptiveCardProblem({ ...good, version: "1.6" })).toMatch(/version/);
    expect(adaptiveCardProblem({ ...good, type: "HeroCard" })).toMatch(/AdaptiveCard/);
    expect(adaptiveCardProblem({ ...good, actions: [{ type: "Action.Submit", title: "x", data: 5 }] })).toMatch(/data/);
    expect(adaptiveCardProblem({ ...good, actions: [{ type: "Action.Submit", title: "x", style: "danger" }] })).toMatch(/style/);
    expect(adaptiveCardProblem({ ...good, actions: Array.from({ length: 7 }, () => ({ type: "Action.Submit", title: "x" })) })).toMatch(/at most 6/);
  });

  it("reads a submit activity as a press by the presser's Entra object id, with the card to replace", () => {
    const activity = activitySchema.parse({ ...cardSubmit, value: { ...cardSubmit.value, prompt: "run it?" } });
    expect(approvalPressOf(activity)).toEqual({
      kind: "press",
      cardActivityId: cardSubmit.replyToId,
      prompt: "run it?",
      press: { approvalId: "evt_0example", approve: true, deciderId: cardSubmit.from.aadObjectId, deciderName: "Megan Bowen" },
    });
  });

  it("leaves other cards' submits and plain messages alone, and refuses malformed approval data", () => {
    expect(approvalPressOf(activitySchema.parse({ ...cardSubmit, value: { choice: "a" } }))).toEqual({ kind: "none" });
    expect(approvalPressOf(activitySchema.parse({ ...cardSubmit, value: undefined, text: "hi" }))).toEqual({ kind: "none" });
    const bad = { ...cardSubmit.value, approvalId: "../evt" };
    expect(approvalPressOf(activitySchema.parse({ ...cardSubmit, value: bad }))).toMatchObject({ kind: "invalid" });
    expect(approvalPressOf(activitySchema.parse({ ...cardSubmit, value: { ...cardSubmit.value, approve: "yes" } }))).toMatchObject({ kind: "invalid" });
  });
});
