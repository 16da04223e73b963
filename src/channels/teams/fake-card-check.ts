/**
 * What the fake Bot Framework checks of an Adaptive Card before it accepts an activity, as the
 * schema (adaptivecards.io/explorer) and Teams' card reference state it: an `AdaptiveCard` with a
 * 1.x version Teams renders, typed body elements, at most six actions with titles, `Action.Submit`
 * data an object or a string, and only the three action styles. Teams rejects or drops what
 * fails these; the fake answers 400 so a test sees it.
 */

/** Teams renders schema versions up to 1.5 for bot messages. */
const VERSION = /^1\.[0-5]$/;
/** Teams shows at most six actions at the card's top level. */
const MAX_ACTIONS = 6;
const ACTION_TYPES = new Set(["Action.Submit", "Action.OpenUrl", "Action.ShowCard", "Action.ToggleVisibility", "Action.Execute"]);
const ACTION_STYLES = new Set(["default", "positive", "destructive"]);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function actionProblem(action: unknown, i: number): string | null {
  if (!isObject(action) || typeof action.type !== "string" || !ACTION_TYPES.has(action.type)) return `actions[${i}] has no known action type`;
  if (typeof action.title !== "string" || !action.title) return `actions[${i}] has no title`;
  if (action.style !== undefined && !ACTION_STYLES.has(String(action.style))) return `actions[${i}].style must be default, positive or destructive`;
  if (action.type === "Action.Submit" && action.data !== undefined && !isObject(action.data) && typeof action.data !== "string")
    return `actions[${i}].data must be an object or a string`;
  return null;
}

/** Why a card would not be accepted, or null. */
export function adaptiveCardProblem(content: unknown): string | null {
  if (!isObject(content) || content.type !== "AdaptiveCard") return "attachment content is not an AdaptiveCard";
  if (typeof content.version !== "string" || !VERSION.test(content.version)) return `AdaptiveCard version ${String(content.version)} is not rendered by Teams`;
  if (!Array.isArray(content.body) || content.body.some((e) => !isObject(e) || typeof e.type !== "string"))
    return "AdaptiveCard body must be a list of typed elements";
  if (content.actions === undefined) return null;
  if (!Array.isArray(content.actions) || content.actions.length > MAX_ACTIONS) return `AdaptiveCard actions must be a list of at most ${MAX_ACTIONS}`;
  for (const [i, action] of content.actions.entries()) {
    const problem = actionProblem(action, i);
    if (problem) return problem;
  }
  return null;
}
