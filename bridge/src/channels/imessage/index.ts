/** The bridge picks up every platform folder by its default export (registry.ts). */
import { createIMessageChannel } from "./bluebubbles";

export default [createIMessageChannel()];
