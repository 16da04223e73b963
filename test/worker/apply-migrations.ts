// Every worker test file starts from a migrated D1 (storage is isolated per test file).
import { applyD1Migrations, env } from "cloudflare:test";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
