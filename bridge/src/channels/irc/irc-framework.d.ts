/** The part of irc-framework (which ships no types) that the IRC channel uses. */
declare module "irc-framework" {
  import { EventEmitter } from "node:events";

  export interface IrcConnectOptions {
    host: string;
    port: number;
    nick: string;
    username?: string;
    gecos?: string;
    password?: string;
    tls?: boolean;
    rejectUnauthorized?: boolean;
    account?: { account: string; password: string };
    auto_reconnect?: boolean;
    ping_interval?: number;
    ping_timeout?: number;
    message_max_length?: number;
  }

  export interface IrcMessageEvent {
    type: "privmsg" | "action" | "notice";
    nick: string;
    ident: string;
    hostname: string;
    target: string;
    message: string;
    tags: Record<string, string>;
    /** The sender's services account, from the IRCv3 account-tag; absent when not identified or not supported. */
    account?: string;
  }

  export class Client extends EventEmitter {
    constructor(options?: Partial<IrcConnectOptions>);
    connect(options?: IrcConnectOptions): void;
    quit(message?: string): void;
    raw(...args: string[]): void;
    join(channel: string, key?: string): void;
    say(target: string, message: string): void;
    changeNick(nick: string): void;
    caseCompare(a: string, b: string): boolean;
    caseLower(s: string): string;
    connected: boolean;
    user: { nick: string; username: string };
  }
}
