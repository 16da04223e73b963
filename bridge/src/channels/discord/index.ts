/** The bridge picks up every platform folder by its default export (registry.ts). */
import { discordGatewayChannel } from "./gateway";

export default [discordGatewayChannel];
