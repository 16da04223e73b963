/** The bridge picks up every platform folder by its default export (registry.ts). */
import { matrixChannel } from "./channel";

export default [matrixChannel];
