import { describe, expect, it } from "vitest";
import { policyVerdict } from "../../../../src/pipeline/policy";
import { IrcAccounts, ircSenderId } from "./identity";

/** RFC 1459 case mapping, as irc-framework's caseLower applies it. */
const lower = (s: string) => s.toLowerCase().replace(/\[/g, "{").replace(/\]/g, "}").replace(/\\/g, "|").replace(/\^/g, "~");

describe("IRC sender identity", () => {
  it("keys an identified sender on the services account, whatever nick they use", () => {
    const accounts = new IrcAccounts(lower);
    expect(ircSenderId("Alice", "alice", accounts, lower)).toBe("alice");
    expect(ircSenderId("alice_away", "Alice", accounts, lower)).toBe("alice");
    accounts.set("Bob", "bobby");
    expect(ircSenderId("bob", undefined, accounts, lower)).toBe("bobby");
    accounts.renamed("bob", "bob[m]");
    expect(ircSenderId("BOB{M}", undefined, accounts, lower)).toBe("bobby");
  });

  it("never gives a paired user's id to someone who merely takes their nick", () => {
    const accounts = new IrcAccounts(lower);
    accounts.set("alice", "alice");
    accounts.set("alice", false); // logged out (account-notify "*"), then the nick is free
    const impostor = ircSenderId("alice", undefined, accounts, lower);
    expect(impostor).toBe("unverified:alice");
    accounts.set("carol", "carol");
    accounts.forget("carol"); // quit: whoever connects as carol next is not her
    expect(ircSenderId("carol", undefined, accounts, lower)).toBe("unverified:carol");
  });

  it("unidentified nicks are never paired or allowlisted, only answered on open channels", () => {
    expect(policyVerdict("pairing", ["unverified:alice"], "unverified:alice")).toBe("not_allowed");
    expect(policyVerdict("allowlist", ["unverified:alice"], "unverified:alice")).toBe("not_allowed");
    expect(policyVerdict("open", [], "unverified:alice")).toBe("allow");
    expect(policyVerdict("pairing", ["alice"], "alice")).toBe("allow");
  });
});
