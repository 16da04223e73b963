/**
 * What an approval button press tells the person who pressed it, the same on every platform
 * (the adapters add only their own markup): the line a decided prompt gains, and the note for
 * a press that decided nothing.
 */
import type { ApprovalOutcome } from "./types";

/** "Approved by …" / "Denied by …", after the platform's own mark (an emoji or its shortcode). */
export function decidedLine(decision: "approved" | "denied", who: string, marks: { approved: string; denied: string }): string {
  return decision === "approved" ? `${marks.approved} Approved by ${who}` : `${marks.denied} Denied by ${who}`;
}

/** For a press that changed nothing: decided before, not the approver's, or no such approval. */
export function undecidedNote(outcome: Exclude<ApprovalOutcome, { kind: "decided" }>): string {
  switch (outcome.kind) {
    case "already":
      return `This approval was already decided: ${outcome.decision}.`;
    case "refused":
      return "Only the approver can decide this.";
    case "unknown":
      return "This approval no longer exists.";
  }
}
