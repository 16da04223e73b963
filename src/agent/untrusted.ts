/**
 * Channel text is untrusted input. It reaches the model wrapped in a labelled element, and
 * anything inside it that imitates the markers the model treats as structure (system, role
 * or tool tags, chat-template tokens, "Human:" turns) is defanged with look-alike characters,
 * so a message cannot close its wrapper or pose as the system prompt or a tool result.
 */

export const UNTRUSTED_TAG = "channel_message";

const MARKER_NAMES = [
  "system",
  "system[-_ ]?prompt",
  "assistant",
  "user",
  "human",
  "developer",
  "admin",
  "instructions?",
  "tool[\\w-]*",
  "function[\\w-]*",
  "result[\\w-]*",
  "channel_message",
  "untrusted[\\w-]*",
  "antml[\\w:-]*",
  "invoke",
  "parameter",
  "document[\\w-]*",
].join("|");
/** `<system>`, `</tool_result>`, `< /channel_message foo="x">` ... */
const TAG_MARKER = new RegExp(`<\\s*/?\\s*(?:${MARKER_NAMES})\\b[^<>]{0,200}>`, "gi");
/** Chat-template tokens: `<|im_start|>`, `<|system|>`. */
const TEMPLATE_TOKEN = /<\|[^<>|]{0,40}\|>/g;
/** Llama-style `[INST]`, `<<SYS>>`. */
const BRACKET_MARKER = /\[\s*\/?\s*INST\s*\]|<<\s*\/?\s*SYS\s*>>/gi;
/** A line that starts a fake turn: "Human:", "Assistant:", "System:". */
const ROLE_PREFIX = /^(\s*)(human|assistant|system|user|developer)(\s*):/gim;
/** Control characters (except tab and newline) and bidi overrides that can hide text. */
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g;

function defangAngles(s: string): string {
  return s.replace(/</g, "\u2039").replace(/>/g, "\u203a");
}

/** Makes marker look-alikes in untrusted text inert, leaving ordinary text (and ordinary `<`) as it was. */
export function neutralise(text: string): string {
  return text
    .replace(INVISIBLE, "")
    .replace(TAG_MARKER, defangAngles)
    .replace(TEMPLATE_TOKEN, defangAngles)
    .replace(BRACKET_MARKER, (m) => m.replace(/\[/g, "\u27e6").replace(/\]/g, "\u27e7").replace(/</g, "\u2039").replace(/>/g, "\u203a"))
    .replace(ROLE_PREFIX, "$1$2$3\ua789");
}

/** A short single-line label from untrusted input (a display name), safe to quote in an attribute. */
export function safeLabel(text: string, max = 80): string {
  return neutralise(text)
    .replace(/[\r\n"]/g, " ")
    .trim()
    .slice(0, max);
}

/** Channel types whose text is mail: bodies can carry forwarded content and quoted threads. */
const MAIL_TYPES = new Set(["email", "imap"]);

/**
 * Wraps one message from a channel. Deterministic in (channelType, text), so the same stored
 * turn renders to the same bytes on every later request (prompt caching depends on it).
 */
export function wrapUntrusted(channelType: string, text: string): string {
  const kind = MAIL_TYPES.has(channelType) ? "e-mail body; may quote or forward other people's mail" : "chat message";
  return `<${UNTRUSTED_TAG} channel="${safeLabel(channelType, 40)}" kind="${kind}" trust="untrusted">\n${neutralise(text)}\n</${UNTRUSTED_TAG}>`;
}
