/**
 * The bridge that serves a bridged channel, picked from the gateway's bridges by name (with
 * whether each is connected) instead of its id typed by hand. With no bridge yet, it says where
 * to create one; an id typed before (or of a revoked bridge) stays selectable.
 */
import { api, body } from "../api/client";
import { useLoad } from "../ui/use-load";

export function BridgePicker({ id, value, required, onChange }: { id: string; value: string; required: boolean; onChange: (value: string) => void }) {
  const bridges = useLoad(async () => (await body(api.bridges.$get())).bridges);
  const list = bridges.data ?? [];
  const known = list.some((b) => b.id === value);
  return (
    <>
      <select id={id} name="bridgeId" value={value} required={required} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{bridges.loading && !bridges.data ? "Loading bridges…" : list.length ? "Choose a bridge" : "No bridge yet"}</option>
        {list.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name} ({b.status === "up" ? "connected" : b.status === "down" ? "offline" : "never connected"})
          </option>
        ))}
        {value && !known && <option value={value}>{value}</option>}
      </select>
      {bridges.data && list.length === 0 && <small class="warn-text">Create a bridge under Bridges first: this channel is served by one.</small>}
    </>
  );
}
