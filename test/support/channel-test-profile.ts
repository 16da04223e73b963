/**
 * What the shared channel tests (fuzzing of /hooks/:id, the "redirect needs the secrets again"
 * rule) need to know about one channel type: a valid config, how the platform signs a request
 * when that can be computed, and a real payload to mutate. Each platform folder default-exports
 * its profiles from `test-profile.ts`; the shared tests find them by that name, so a new
 * platform is covered by adding the file, and a platform without one fails the shared tests.
 */

/** A channel ready to be created, and how to sign requests for it. */
export interface PreparedProfile {
  /** A config the type's schema accepts; endpoints point at hosts no test can reach. */
  config: Record<string, unknown>;
  /**
   * Headers that make `body` authentic for this channel, exactly as the platform signs it
   * (HMAC, Ed25519, a secret-token header). Absent when the platform's scheme cannot be
   * computed here (e-mail) or the channel has no webhook (bridged channels).
   */
  sign?(body: string, nowMs: number): Promise<Record<string, string>>;
  /**
   * The payload as the platform puts it on the wire, when it wraps it (Feishu's encrypted
   * `{"encrypt": ...}`, Mattermost's form-encoded slash commands): applied to the requests the
   * shared tests send as the platform would, before `sign`, so a mutated payload still reaches
   * the parser behind the wrapping.
   */
  seal?(body: string): Promise<string>;
  /**
   * Fakes of the platform's endpoints the webhook check itself calls (an OpenID key set), by base
   * URL; the shared tests route the Worker's fetches under each base to its handler.
   */
  fakes?: Record<string, (request: Request) => Promise<Response>>;
}

export interface ChannelTestProfile {
  /** The adapter's `type`. */
  type: string;
  prepare(): Promise<PreparedProfile>;
  /** Real inbound payloads (from the platform's documentation, see fixtures/), seeds for mutation. */
  samples: unknown[];
}

export async function hmacSha256Hex(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A bridge id for configs of bridged channels (only its form is checked when a channel is created). */
export const TEST_BRIDGE_ID = "brg_testprofile";
