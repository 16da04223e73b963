/** The bridge picks up every platform folder by its default export (registry.ts). */
import { signalChannel } from "./signal";

export default [signalChannel];
