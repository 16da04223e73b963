/**
 * Who an IRC sender is. A nickname proves nothing: anyone may take a free nick and would
 * become that sender (their history, notes, tools, container workspace). The services account
 * does: the server vouches for it in the IRCv3 `account-tag` on each message, and announces it
 * with `account-notify` and `extended-join` (irc-framework requests all three). So an identified
 * sender's id is their account; an unidentified nick gets an `unverified:` id, which the
 * pipeline never pairs or allowlists (src/lib/sender-policy.ts): only open channels answer it,
 * as a public sender. See docs/security.md.
 */
import { UNVERIFIED_SENDER_PREFIX } from "../../../../src/lib/sender-policy";

type CaseLower = (s: string) => string;

/** Services accounts of the nicks the bot has seen, from account-notify, extended-join and nick changes. */
export class IrcAccounts {
  private readonly accounts = new Map<string, string>();

  constructor(private readonly lower: CaseLower) {}

  /** ACCOUNT (account-notify) or an extended JOIN: `false` when the nick is logged out or not identified. */
  set(nick: string, account: string | false | undefined): void {
    if (account === undefined) return;
    if (account) this.accounts.set(this.lower(nick), account);
    else this.accounts.delete(this.lower(nick));
  }

  /** A nick change keeps the account (services follow the user, not the nick). */
  renamed(from: string, to: string): void {
    const account = this.accounts.get(this.lower(from));
    this.accounts.delete(this.lower(from));
    if (account) this.accounts.set(this.lower(to), account);
  }

  forget(nick: string): void {
    this.accounts.delete(this.lower(nick));
  }

  get(nick: string): string | undefined {
    return this.accounts.get(this.lower(nick));
  }

  clear(): void {
    this.accounts.clear();
  }
}

/**
 * The sender id for a message: the account from the message's own `account` tag when the
 * server sent one (the tag is authoritative, even when it says the nick is not logged in, by
 * its absence on a server that tags), else the tracked account, else an unverified nick.
 */
export function ircSenderId(nick: string, tagAccount: string | undefined, accounts: IrcAccounts, lower: CaseLower): string {
  const account = tagAccount ?? accounts.get(nick);
  return account ? lower(account) : `${UNVERIFIED_SENDER_PREFIX}${lower(nick)}`;
}
