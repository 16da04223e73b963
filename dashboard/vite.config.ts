/**
 * Builds the dashboard into dashboard/dist, which the Worker serves as static assets (and
 * `wrangler pages deploy` can publish). `vite dev` proxies the API to a local `npm start`.
 */
import preact from "@preact/preset-vite";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const gateway = process.env.LOOPGATE_URL ?? "http://127.0.0.1:8787";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  plugins: [preact()],
  build: {
    outDir: process.env.DASHBOARD_OUT_DIR ?? "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
  },
  server: {
    proxy: {
      "/api": { target: gateway, ws: true },
      "/hooks": { target: gateway },
    },
  },
});
