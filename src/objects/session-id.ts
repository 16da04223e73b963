/**
 * A sender's session id: the SenderSession object's name and the D1 `sessions` row id. Apart from
 * addresses.ts (which needs the Worker's Env) so Node-side code can name sessions too.
 */
export function sessionId(channelId: string, senderId: string): string {
  return `${channelId}:${senderId}`;
}
