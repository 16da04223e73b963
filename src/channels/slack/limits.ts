/**
 * Slack's message limit, shared by the Events API adapter (index.ts) and the Socket Mode one
 * (socket-mode.ts). Its own module: index.ts imports socket-mode.ts, so a constant defined in
 * index.ts is not yet initialised when socket-mode.ts reads it under plain ESM (the CLI).
 */

/** Slack recommends at most 4,000 characters per message (it truncates past 40,000). */
export const SLACK_MAX_MESSAGE_LENGTH = 4000;
