declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** An empty database for the schema upgrade test. */
    UPGRADE_DB: D1Database;
  }
}
