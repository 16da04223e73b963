/**
 * `npm test` runs three layers: unit (plain Node, pure core logic), worker (real workerd with
 * real D1, Durable Objects and alarms via Cloudflare's Vitest integration) and e2e (`npm start`
 * as a process, real HTTP clients, fakes of external services on 127.0.0.1).
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * A platform's tests sit in its folder (src/channels/<platform>/, bridge/src/channels/<platform>/),
 * named by layer: `*.test.ts` unit, `*.worker.test.ts` workerd, `*.e2e.test.ts` against `npm start`.
 */
const UNIT_TESTS = ["test/unit/**/*.test.ts", "src/**/*.test.ts", "bridge/src/**/*.test.ts", "examples/*/src/**/*.test.ts"];

/** Channel plugins import Loopgate's public contract by package name, as wrangler.toml aliases it. */
const PLUGIN_KIT = { "loopgate/plugin-kit": fileURLToPath(new URL("./src/channels/plugin-kit.ts", import.meta.url)) };
const NOT_UNIT = [...configDefaults.exclude, "**/*.worker.test.ts", "**/*.e2e.test.ts"];

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias: PLUGIN_KIT }, test: { name: "unit", include: [...UNIT_TESTS], exclude: [...NOT_UNIT], environment: "node" } },
      {
        plugins: [
          cloudflareTest(async () => ({
            main: "./workers/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              d1Databases: { UPGRADE_DB: "loopgate-upgrade-test" },
              bindings: {
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
                LOOPGATE_MASTER_KEY: "test-master-key-0123456789abcdef",
                LOOPGATE_SETUP_TOKEN: "test-setup-token",
                DELIVERY_RETRY_BASE_MS: "50",
              },
            },
          })),
        ],
        // wrangler.toml leaves the D1 migrations out of the bundle (deployed Workers never apply them);
        // the tests of the Worker's own migration step need them, as npm start does.
        define: { LOOPGATE_BUNDLED_MIGRATIONS: "true" },
        test: { name: "worker", include: ["test/worker/**/*.test.ts", "src/**/*.worker.test.ts"], setupFiles: ["./test/worker/apply-migrations.ts"] },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "src/**/*.e2e.test.ts", "bridge/src/**/*.e2e.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
