/** The bridge picks up every platform folder by its default export (registry.ts). */
import { nostrChannel } from "./channel";

export default [nostrChannel];
