/** Health: is the gateway up, which version, and is the agent a real model or the offline echo. */
import type { ComponentChildren } from "preact";
import { api, body } from "../api/client";
import type { ScreenDef } from "../shell/screens";
import { Badge, ErrorBanner } from "../ui/bits";
import { duration } from "../ui/format";
import { useLoad } from "../ui/use-load";

function Stat({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="stat">
      <div class="label">{label}</div>
      <div class="value">{children}</div>
    </div>
  );
}

function Health() {
  const health = useLoad(() => body(api.health.$get()), [], 10_000);
  const h = health.data;
  return (
    <section>
      <ErrorBanner error={health.error} />
      {h && (
        <div class="stats" aria-label="Health">
          <Stat label="Status">
            <Badge tone={h.status === "ok" ? "ok" : "bad"}>{h.status}</Badge>
          </Stat>
          <Stat label="Uptime">{duration(h.uptime)}</Stat>
          <Stat label="Version">{h.version}</Stat>
          <Stat label="Model mode">
            <span data-mode={h.model.mode}>{h.model.mode === "offline-echo" ? "Offline echo" : h.model.mode}</span>
          </Stat>
          <Stat label="Model">{h.model.name}</Stat>
        </div>
      )}
      {h?.model.mode === "offline-echo" && (
        <p class="banner warn" style={{ marginTop: "1em" }}>
          No ANTHROPIC_API_KEY is set, so the agent is the offline echo model: it repeats what it is told. Set the key to talk to Claude.
        </p>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/health", title: "Health", order: 90, component: Health };
