/** The bridge picks up every platform folder by its default export (registry.ts). */
import { mattermostWebSocketChannel } from "./websocket";

export default [mattermostWebSocketChannel];
