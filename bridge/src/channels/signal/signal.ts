/**
 * Signal through signal-cli's JSON-RPC interface: the bridge connects to a running
 * `signal-cli -a <account> daemon --tcp host:port`, or spawns `signal-cli -a <account> jsonRpc`.
 * Direct messages are conversations per sender; in groups the bot answers when mentioned.
 * Replies quote the message they answer. Attachments are read from signal-cli's attachments
 * folder and handed to the gateway (attachments.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { signalAttachmentsDir, signalCliEnv, signalCliPath } from "./cli-process";
import { describeSignalAttachments, readSignalAttachments, type SignalAttachment } from "./attachments";
import { connect, type Socket } from "node:net";
import { signalConfigSchema, type SignalConfig } from "../../../../src/channels/signal";
import { describeZodError } from "../../../../src/lib/zod-error";
import { backoffDelayMs } from "../../backoff";
import { JsonRpcError, JsonRpcLines, type JsonRpcNotification } from "./json-rpc-lines";
import { signalTyping } from "./typing";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, ReplyFileBytes, RunningChannel } from "../shared/types";

const RECONNECT = { baseMs: 1000, maxMs: 60_000 };
/** signal-cli writes a mention into the text as this placeholder character. */
const MENTION_PLACEHOLDER = /\uFFFC/g;

interface Envelope {
  source?: string;
  sourceNumber?: string | null;
  sourceUuid?: string;
  sourceName?: string;
  timestamp?: number;
  dataMessage?: {
    message?: string | null;
    groupInfo?: { groupId?: string };
    mentions?: { number?: string | null; uuid?: string }[];
    attachments?: SignalAttachment[];
  };
}

class SignalConnection implements RunningChannel {
  private rpc: JsonRpcLines | null = null;
  private ready = false;
  private stopped = false;
  private attempt = 0;
  private retry: NodeJS.Timeout | null = null;
  private socket: Socket | null = null;
  private child: ChildProcess | null = null;
  /** "typing…" per conversation from a message's arrival until the reply goes out (typing.ts). */
  private readonly typing = signalTyping(() => (this.ready ? this.rpc : null));

  constructor(
    private readonly config: SignalConfig,
    private readonly host: ChannelHost,
  ) {
    this.connect();
  }

  async send(reply: Parameters<RunningChannel["send"]>[0]): Promise<DeliveryOutcome> {
    return this.request(reply, { message: reply.text });
  }

  /**
   * A file the agent sent, as an attachment of an empty message: signal-cli's `send` takes
   * `attachments` as file paths or RFC 2397 data URIs with a file name
   * (`data:<type>;filename=<name>;base64,<data>`, signal-cli(1) send --attachment). A data URI,
   * because the daemon may run on another machine than the bridge, where a path would not exist.
   */
  async sendFile(reply: BridgeReply, file: ReplyFileBytes): Promise<DeliveryOutcome> {
    const uri = `data:${file.mediaType};filename=${encodeURIComponent(file.name)};base64,${Buffer.from(file.bytes).toString("base64")}`;
    return this.request(reply, { message: "", attachments: [uri] });
  }

  private async request(reply: BridgeReply, content: { message: string; attachments?: string[] }): Promise<DeliveryOutcome> {
    const rpc = this.rpc;
    if (!rpc || !this.ready) return { ok: false, retryable: true, error: "signal-cli is not connected" };
    const group = reply.conversationId?.startsWith("group:") ? reply.conversationId.slice(6) : undefined;
    const quote = reply.replyContext?.timestamp
      ? { quoteTimestamp: Number(reply.replyContext.timestamp), quoteAuthor: reply.replyContext.author ?? reply.recipient }
      : {};
    try {
      await rpc.request("send", { ...(group ? { groupId: group } : { recipient: [reply.recipient] }), ...content, ...quote });
      this.typing.stop(reply.conversationId ?? reply.recipient);
      return { ok: true };
    } catch (err) {
      if (err instanceof JsonRpcError) return { ok: false, retryable: false, error: `signal-cli: ${err.message}` };
      return { ok: false, retryable: true, error: String(err instanceof Error ? err.message : err) };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.typing.stopAll();
    this.socket?.destroy();
    this.child?.kill("SIGTERM");
    this.host.state("stopped");
  }

  private connect(): void {
    if (this.attempt === 0) this.host.state("connecting");
    if (this.config.daemon) this.connectDaemon(this.config.daemon);
    else this.spawnCli();
  }

  private connectDaemon(address: string): void {
    const [hostname, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))];
    const socket = connect({ host: hostname, port });
    this.socket = socket;
    socket.on("connect", () =>
      this.attach(
        new JsonRpcLines(
          socket,
          socket,
          (n) => this.onNotification(n),
          (l) => this.garbage(l),
        ),
      ),
    );
    socket.on("error", (err) => this.host.log.warn("signal-cli daemon connection error", { error: err.message }));
    socket.on("close", () => this.lost(`connection to signal-cli at ${address} closed`));
  }

  private spawnCli(): void {
    let stderr = "";
    const cliPath = signalCliPath(process.env);
    const child = spawn(cliPath, ["-a", this.config.account, "jsonRpc"], { stdio: ["pipe", "pipe", "pipe"], env: signalCliEnv(process.env) });
    this.child = child;
    child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on("error", (err: NodeJS.ErrnoException) => {
      this.stopped = true;
      const reason =
        err.code === "ENOENT"
          ? `signal-cli not found (${cliPath}): install it, set SIGNAL_CLI_PATH on the bridge, or set "daemon" to a running signal-cli daemon`
          : `cannot start signal-cli: ${err.message}`;
      this.host.state("failed", reason);
    });
    child.on("spawn", () =>
      this.attach(
        new JsonRpcLines(
          child.stdout,
          child.stdin,
          (n) => this.onNotification(n),
          (l) => this.garbage(l),
        ),
      ),
    );
    child.on("exit", (code) => {
      if (/not registered|User .* is not registered|No local account/i.test(stderr)) {
        this.stopped = true;
        this.host.state(
          "needs_login",
          `account ${this.config.account} is not registered with signal-cli: run \`signal-cli -a ${this.config.account} register\` (or link it)`,
        );
        return;
      }
      this.lost(`signal-cli exited with code ${code}: ${stderr.trim().split("\n").pop() ?? ""}`);
    });
  }

  /** Connected once signal-cli answers a request, not merely when the socket opens. */
  private attach(rpc: JsonRpcLines): void {
    this.rpc = rpc;
    rpc.request("version", {}, 60_000).then(
      (v) => {
        this.ready = true;
        this.attempt = 0;
        this.host.state("connected");
        this.host.log.info("signal-cli connected", { version: (v as { version?: string } | null)?.version });
      },
      (err: unknown) => this.host.log.warn("signal-cli did not answer", { error: String(err) }),
    );
  }

  private lost(reason: string): void {
    this.ready = false;
    this.rpc?.failAll(reason);
    this.rpc = null;
    if (this.stopped) return;
    const delay = backoffDelayMs(this.attempt++, RECONNECT);
    this.host.state("connecting", `${reason}; reconnecting`);
    this.host.log.info("signal-cli reconnect scheduled", { inMs: delay });
    this.retry = setTimeout(() => this.connect(), delay);
  }

  private garbage(line: string): void {
    this.host.log.warn("signal-cli sent a line that is not JSON", { line: line.slice(0, 200) });
  }

  private onNotification(n: JsonRpcNotification): void {
    if (n.method !== "receive") return;
    const params = n.params as { envelope?: Envelope; result?: { envelope?: Envelope } } | undefined;
    const envelope = params?.envelope ?? params?.result?.envelope;
    const data = envelope?.dataMessage;
    const source = envelope?.sourceNumber ?? envelope?.sourceUuid ?? envelope?.source;
    const listed = Array.isArray(data?.attachments) ? data.attachments : [];
    if (!envelope || !data || (!data.message && !listed.length) || !source || envelope.timestamp === undefined || source === this.config.account) return;
    const groupId = data.groupInfo?.groupId;
    if (groupId && !data.mentions?.some((m) => m.number === this.config.account)) return;
    const message = data.message ?? "";
    const text = groupId ? message.replace(MENTION_PLACEHOLDER, "").trim() : message;
    const attachments = describeSignalAttachments(listed);
    if (!text && !attachments.length) return;
    const files = readSignalAttachments(listed, attachments, signalAttachmentsDir(process.env), (msg, detail) => this.host.log.warn(msg, detail));
    this.host.receive(
      {
        senderId: source,
        senderName: envelope.sourceName || undefined,
        conversationId: groupId ? `group:${groupId}` : undefined,
        // Signal identifies a message by its author and timestamp; a redelivery repeats both.
        platformMessageId: `signal:${source}:${envelope.timestamp}`,
        text,
        ...(attachments.length ? { attachments } : {}),
        replyContext: { author: source, timestamp: String(envelope.timestamp) },
      },
      files,
    );
    this.typing.start(groupId ? `group:${groupId}` : source);
  }
}

export const signalChannel: BridgeChannelType = {
  type: "signal",
  start(channel, host) {
    const parsed = signalConfigSchema.safeParse(channel.config);
    if (!parsed.success) throw new Error(`invalid signal config: ${describeZodError(parsed.error)}`);
    return new SignalConnection(parsed.data, host);
  },
};
