/** The bridge picks up every platform folder by its default export (registry.ts). */
import { mailboxChannel } from "./mailbox";

export default [mailboxChannel];
