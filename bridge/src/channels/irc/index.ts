/** The bridge picks up every platform folder by its default export (registry.ts). */
import { ircChannel } from "./irc";

export default [ircChannel];
