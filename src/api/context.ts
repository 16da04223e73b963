/** The Hono environment every route shares: the Worker's bindings and the authenticated user. */
import type { Db } from "../db/client";
import type { GatewayConfig } from "../config";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    db: Db;
    config: GatewayConfig;
    /** Set by requireAuth. */
    user: { id: number; username: string };
    /** The bearer token of the request, set by requireAuth: its hash (never the token), public id and expiry. */
    credential: { hash: string; id: string; expiresAt: number | null };
  };
}
