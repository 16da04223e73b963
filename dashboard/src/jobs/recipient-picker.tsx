/**
 * Who receives a job's result (or a loop task's notice) on a channel: one of the people who
 * already talk to the agent there (their conversations, by name), or, for someone who has not
 * written yet, their id on the platform typed by hand.
 */
import { useState } from "preact/hooks";
import { api, body } from "../api/client";
import { useLoad } from "../ui/use-load";

const OTHER = "\u0000other";

export function RecipientPicker({ channelId, value, onChange }: { channelId: string; value: string; onChange: (recipient: string) => void }) {
  const known = useLoad(async () => (await body(api.sessions.$get({ query: { channelId, limit: "200" } }))).sessions, [channelId]);
  const senders = known.data ?? [];
  const isKnown = senders.some((s) => s.senderId === value);
  const [typing, setTyping] = useState(false);
  const other = typing || (value !== "" && known.data !== undefined && !isKnown) || (known.data !== undefined && senders.length === 0);
  return (
    <>
      <label class="field">
        <span>Recipient</span>
        <select
          name="recipientPick"
          value={other ? OTHER : value}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setTyping(v === OTHER);
            onChange(v === OTHER ? "" : v);
          }}
        >
          {!other && value === "" && <option value="">Choose who receives it</option>}
          {senders.map((s) => (
            <option key={s.id} value={s.senderId}>
              {s.senderName ? `${s.senderName} (${s.senderId})` : s.senderId}
            </option>
          ))}
          <option value={OTHER}>Someone else: type their id</option>
        </select>
        {known.data !== undefined && senders.length === 0 && <small>Nobody has written on this channel yet; type the person's id on the platform.</small>}
      </label>
      {other && (
        <label class="field">
          <span>Their id on the platform</span>
          <input name="recipient" type="text" required placeholder="e.g. a Telegram chat id" value={value} onInput={(e) => onChange(e.currentTarget.value)} />
        </label>
      )}
    </>
  );
}
