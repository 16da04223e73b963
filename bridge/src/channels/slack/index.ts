/** The bridge picks up every platform folder by its default export (registry.ts). */
import { slackSocketChannel } from "./socket-mode";

export default [slackSocketChannel];
