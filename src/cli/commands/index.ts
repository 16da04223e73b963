/** Every command, in the order `loopgate --help` lists them. */
import type { CommandSpec } from "../command";
import { accountCommands } from "./account";
import { applyCommand } from "./apply";
import { backupCommands } from "./backup";
import { loginCommand, logoutCommand, setupCommand } from "./auth";
import { bridgeCommands } from "./bridge";
import { channelCommands } from "./channels";
import { chatCommands } from "./chat";
import { jobCommands } from "./jobs";
import { logsCommand } from "./logs";
import { mcpCommands } from "./mcp";
import { pairingCommands, senderCommands } from "./pairing";
import { resealCommand } from "./reseal";
import { startCommand } from "./start";
import { statusCommand } from "./status";
import { taskCommands } from "./tasks";
import { tokenCommands } from "./tokens";
import { usageCommand } from "./usage";

export const COMMANDS: CommandSpec[] = [
  startCommand,
  statusCommand,
  setupCommand,
  loginCommand,
  logoutCommand,
  ...tokenCommands,
  ...accountCommands,
  resealCommand,
  ...backupCommands,
  applyCommand,
  ...channelCommands,
  ...pairingCommands,
  ...senderCommands,
  ...jobCommands,
  ...taskCommands,
  ...bridgeCommands,
  ...mcpCommands,
  usageCommand,
  ...chatCommands,
  logsCommand,
];
