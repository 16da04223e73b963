/**
 * The Worker: HTTP (`/hooks/*` for platforms, `/api/*` for admins), and the Cron heartbeat.
 * Durable Object classes are exported from here so wrangler can bind them.
 */
import { app } from "../src/api/app";
import { senderSession } from "../src/objects/addresses";
import { readConfig } from "../src/config";
import { openDb } from "../src/db/client";
import { faultHookCompiledIn } from "../src/db/fault-hook";
import { applyLocalMigrations } from "../src/db/local-migrations";
import { faultControl } from "./fault-control";
import { pruneMedia } from "../src/pipeline/media-retention";
import { sweepSessions } from "../src/pipeline/session-sweep";
import { schedulerHeartbeat } from "../src/scheduler/heartbeat";
import { handleEmail, sweepStagedEmailParts } from "./email";
import { createLogger } from "../src/lib/log";
import { sweepBridgeMedia } from "../src/channels/shared/bridge-media";

const log = createLogger("worker");

export { BridgeHub } from "./bridge-hub";
export { JobRunner } from "./job-runner";
export { LiveFeed } from "./live-feed";
export { LoopTask } from "./loop-task";
export { SenderSession } from "./sender-session";
export { Throttle } from "./throttle";

export default {
  async fetch(request, env, ctx) {
    if (faultHookCompiledIn() && new URL(request.url).pathname === "/api/__faults") return faultControl(request);
    await applyLocalMigrations(env, env.DB);
    return app.fetch(request, env, ctx);
  },

  async email(message, env) {
    await applyLocalMigrations(env, env.DB);
    await handleEmail(message, env);
  },

  async scheduled(controller, env) {
    await applyLocalMigrations(env, env.DB);
    await schedulerHeartbeat(env, controller.scheduledTime);
    const swept = await sweepSessions(openDb(env.DB), readConfig(env), controller.scheduledTime, (channelId, senderId) =>
      senderSession(env, channelId, senderId).cleanup(),
    );
    if (swept.staled || swept.cleaned) log.info("session sweep", { ...swept });
    const pruned = await pruneMedia(openDb(env.DB), env.MEDIA, readConfig(env), controller.scheduledTime);
    if (pruned) log.info("media retention", { deleted: pruned });
    const staged = await sweepStagedEmailParts(env, controller.scheduledTime);
    if (staged) log.info("staged e-mail attachments swept", { deleted: staged });
    const uploaded = await sweepBridgeMedia(env.MEDIA, controller.scheduledTime);
    if (uploaded) log.info("files staged by bridges swept", { deleted: uploaded });
  },
} satisfies ExportedHandler<Env>;
