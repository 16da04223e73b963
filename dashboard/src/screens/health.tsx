/** Health: is the gateway up, which version, is the agent a real model or the offline echo, and are the bridges connected. */
import { api, body } from "../api/client";
import { navigate } from "../shell/router";
import type { ScreenDef } from "../shell/screens";
import { Badge, ErrorBanner, Stat } from "../ui/widgets";
import { duration } from "../ui/format";
import { useLoad } from "../ui/use-load";

function Health() {
  const health = useLoad(() => body(api.health.details.$get()), [], 10_000);
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
          <Stat label="Bridges" hint={h.bridges.up + h.bridges.down === 0 ? "none has connected yet" : undefined}>
            <span data-bridges={`${h.bridges.up} up, ${h.bridges.down} down`}>
              <Badge tone={h.bridges.up ? "ok" : "muted"}>{h.bridges.up} up</Badge> <Badge tone={h.bridges.down ? "bad" : "muted"}>{h.bridges.down} down</Badge>
            </span>
          </Stat>
        </div>
      )}
      {h?.model.mode === "offline-echo" && (
        <p class="banner warn" style={{ marginTop: "1em" }}>
          No ANTHROPIC_API_KEY is set, so the agent is the offline echo model: it repeats what it is told. Set the key to talk to Claude.
        </p>
      )}
      {h && h.bridges.down > 0 && (
        <p class="banner error" style={{ marginTop: "1em" }}>
          {h.bridges.down === 1 ? "A bridge is" : `${h.bridges.down} bridges are`} down: the channels it serves cannot send or receive.{" "}
          <a
            href="/bridges"
            onClick={(e) => {
              e.preventDefault();
              navigate("/bridges");
            }}
          >
            See bridges
          </a>
        </p>
      )}
    </section>
  );
}

export const screen: ScreenDef = { path: "/health", title: "Health", order: 90, component: Health };
