/** Whose invitations the Matrix bot accepts. */
import { describe, expect, it } from "vitest";
import { inviteAllowed } from "./invites";

describe("Matrix invitations", () => {
  const bot = { userId: "@loopbot:example.org" };
  it("accepts users of the bot's own server when no inviters are configured", () => {
    expect(inviteAllowed("@alice:example.org", bot)).toBe(true);
    expect(inviteAllowed("@mallory:evil.example", bot)).toBe(false);
    // A server name that merely ends like the bot's is another server.
    expect(inviteAllowed("@mallory:notexample.org", bot)).toBe(false);
  });
  it("accepts exactly the listed users and servers", () => {
    const config = { ...bot, inviters: ["@bob:matrix.org", "example.com"] };
    expect(inviteAllowed("@bob:matrix.org", config)).toBe(true);
    expect(inviteAllowed("@carol:matrix.org", config)).toBe(false);
    expect(inviteAllowed("@dave:EXAMPLE.com", config)).toBe(true);
    expect(inviteAllowed("@alice:example.org", config)).toBe(false);
    expect(inviteAllowed("", config)).toBe(false);
  });
});
