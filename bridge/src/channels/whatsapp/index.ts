/** The bridge picks up every platform folder by its default export (registry.ts). */
import { whatsappWebChannel } from "./web";

export default [whatsappWebChannel];
