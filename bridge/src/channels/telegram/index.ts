/** The bridge picks up every platform folder by its default export (registry.ts). */
import { telegramPollingChannel } from "./polling";

export default [telegramPollingChannel];
