/**
 * The HTTP surface: `/hooks/:channelId` for platforms, `/api/*` for admins and the dashboard.
 * Exported as a type too, so the dashboard and the CLI call it through Hono's typed client.
 */
import { Hono } from "hono";
import { createAgentRuntime } from "../agent/runtime";
import { readConfig } from "../config";
import { openDb } from "../db/client";
import { bridgeConnectRoutes, bridgeHealth, bridgeRoutes } from "./bridges";
import { bridgeFileRoutes } from "./bridge-files";
import { bridgeMediaRoutes } from "./bridge-media";
import { privateAuthRoutes, publicAuthRoutes, requireAuth, tokenRoutes } from "./auth";
import { channelRoutes } from "./channels";
import { chatRoutes } from "./chat";
import type { AppEnv } from "./context";
import { onError } from "./errors";
import { hookRoutes } from "./hooks";
import { cronRoutes, jobRoutes } from "./jobs";
import { pairingRoutes, senderRoutes } from "./pairings";
import { recordRoutes } from "./records";
import { resealRoutes } from "./reseal";
import { backupRoutes } from "./backup";
import { usageRoutes } from "./usage";
import { mediaRoutes } from "./media";
import { usageMediaRoutes } from "./usage-media";
import { mcpServerRoutes } from "./mcp-servers";
import { senderMemoryRoutes } from "./sender-memory";
import { approvalRoutes } from "./approvals";
import { taskRoutes } from "./tasks";
import { apiBodyLimit } from "./body-limit";
import { auditAdminActions } from "./audit-feed";
import { openLiveFeed } from "./live-feed-access";
import { sessionRoutes } from "./sessions";
import { securityHeaders } from "./security-headers";
import { apiRateLimit } from "./throttle";
import { liveFeed } from "../objects/addresses";
import { feedWatched } from "../pipeline/live-feed-gate";

/** Set on the first request: outside a request, Workers clocks read zero. */
let startedAt = 0;

const api = new Hono<AppEnv>()
  .use(apiRateLimit())
  .use(apiBodyLimit())
  // Public: only whether the gateway answers. Version, model and bridges tell an attacker what to aim at.
  .get("/health", (c) => c.json({ status: "ok" as const }))
  .route("/auth", publicAuthRoutes)
  .use(requireAuth())
  .use(auditAdminActions())
  .get("/health/details", async (c) => {
    const runtime = createAgentRuntime(c.env);
    return c.json({
      status: "ok" as const,
      uptime: Math.round((Date.now() - startedAt) / 1000),
      version: c.var.config.LOOPGATE_VERSION,
      model: { mode: runtime.mode, name: runtime.model },
      bridges: await bridgeHealth(c.var.db),
    });
  })
  .route("/auth", privateAuthRoutes)
  .route("/auth", sessionRoutes)
  .route("/tokens", tokenRoutes)
  .route("/channels", channelRoutes)
  .route("/bridges", bridgeRoutes)
  .route("/pairings", pairingRoutes)
  .route("/senders", senderRoutes)
  .route("/chat", chatRoutes)
  .route("/jobs", jobRoutes)
  .route("/cron", cronRoutes)
  .route("/tasks", taskRoutes)
  .route("/", recordRoutes)
  .route("/sessions", senderMemoryRoutes)
  .route("/usage/media", usageMediaRoutes)
  .route("/usage", usageRoutes)
  .route("/media", mediaRoutes)
  .route("/mcp-servers", mcpServerRoutes)
  .route("/approvals", approvalRoutes)
  .route("/secrets", resealRoutes)
  .route("/backup", backupRoutes)
  .get("/live", async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return c.json({ error: "expected a WebSocket upgrade" }, 426);
    feedWatched();
    return openLiveFeed(c);
  });

export const app = new Hono<AppEnv>()
  .use(securityHeaders())
  .use(async (c, next) => {
    startedAt ||= Date.now();
    c.set("config", readConfig(c.env));
    c.set("db", openDb(c.env.DB));
    await next();
  })
  .route("/hooks", hookRoutes)
  .route("/bridge", bridgeConnectRoutes)
  .route("/bridge/files", bridgeFileRoutes)
  .route("/bridge", bridgeMediaRoutes)
  .route("/api", api)
  .notFound((c) => c.json({ error: `no route ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));

app.onError(onError);

export type AppType = typeof app;
