/**
 * WhatsApp Web with Baileys: the bridge is a linked device of the user's phone. A first start
 * shows a QR code (reported as needs_login with the QR string as the state's detail, which the
 * gateway keeps on the channel row and puts on the live feed); the session is saved in the
 * channel's data folder, so a restart logs straight back in. Disconnects are handled by reason:
 * logged out → needs_login (session deleted, no reconnect loop); replaced or banned → failed;
 * restart-required and network drops → reconnect with backoff.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { type AuthenticationState, Browsers, DisconnectReason, downloadMediaMessage, makeWASocket, useMultiFileAuthState, type WAMessage } from "baileys";
import { type WhatsAppWebConfig, whatsappWebConfigSchema } from "../../../../src/channels/whatsapp/web";
import { describeZodError } from "../../../../src/lib/zod-error";
import { backoffDelayMs } from "../../backoff";
import type { Logger } from "../../../../src/lib/log";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, ReplyFileBytes, RunningChannel } from "../shared/types";
import { normalizeWhatsAppMessage, quotedMessage } from "./web-messages";
import { readWhatsAppMedia } from "./web-media";
import { whatsappTyping } from "./typing";
import type { BridgeInboundMessage } from "../../../../src/protocol/bridge";

const RECONNECT = { baseMs: 1000, maxMs: 60_000 };
/** QR rounds that end unscanned before the channel stops asking (a QR is valid about a minute). */
const MAX_UNSCANNED_QR_ROUNDS = 3;

/** The part of a Baileys socket this channel uses; tests supply a fake. */
export interface WhatsAppSocket {
  ev: {
    on(
      event: "connection.update",
      listener: (update: { connection?: "open" | "connecting" | "close"; qr?: string; lastDisconnect?: { error: Error | undefined } }) => void,
    ): void;
    on(event: "creds.update", listener: () => void): void;
    on(event: "messages.upsert", listener: (upsert: { messages: WAMessage[]; type: string }) => void): void;
  };
  user?: { id: string; lid?: string };
  sendMessage(jid: string, content: WhatsAppContent, options?: { quoted?: WAMessage }): Promise<unknown>;
  /** A chat state to `jid`: "composing" shows "typing…", "paused" clears it (typing.ts). */
  sendPresenceUpdate(type: "composing" | "paused", toJid: string): Promise<void>;
  end(error: Error | undefined): void;
  /** Asks the phone to upload again media the server no longer has (Baileys' socket). */
  updateMediaMessage?(msg: WAMessage): Promise<WAMessage>;
}

/**
 * What the channel sends, a subset of Baileys' AnyMessageContent: text, or a file the agent sent
 * as a picture (`image`, shown inline) or a `document` (with its name and type).
 */
export type WhatsAppContent = { text: string } | { image: Buffer; mimetype: string } | { document: Buffer; mimetype: string; fileName: string };

/** Pictures WhatsApp shows inline; every other file (GIF included, which would lose its animation) goes as a document. */
const PICTURE_TYPES = new Set(["image/png", "image/jpeg"]);

export interface WhatsAppDeps {
  /** Loads (or creates) the saved session in a folder; `save` persists credential changes. */
  loadAuth(folder: string): Promise<{ state: AuthenticationState; saveCreds: () => Promise<void> }>;
  openSocket(auth: AuthenticationState, log: Logger): WhatsAppSocket;
  /** The decrypted bytes of a media message, as a stream (web-media.ts). */
  downloadMedia(socket: WhatsAppSocket, msg: WAMessage, log: Logger): Promise<AsyncIterable<Uint8Array> & { destroy?: () => void }>;
}

/** The status code Baileys puts on a disconnect error (a Boom). */
function disconnectCode(error: Error | undefined): number | undefined {
  return (error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
}

export class WhatsAppWebConnection implements RunningChannel {
  private socket: WhatsAppSocket | null = null;
  private open = false;
  private stopped = false;
  private attempt = 0;
  private unscannedRounds = 0;
  private showingQr = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly authDir: string;
  /** "typing…" per chat from a message's arrival until the reply goes out (typing.ts). */
  private readonly typing = whatsappTyping(() => (this.open ? this.socket : null));

  constructor(
    private readonly config: WhatsAppWebConfig,
    private readonly host: ChannelHost,
    private readonly deps: WhatsAppDeps,
  ) {
    this.authDir = join(host.dataDir, "auth");
    host.state("connecting");
    void this.connect();
  }

  async send(reply: Parameters<RunningChannel["send"]>[0]): Promise<DeliveryOutcome> {
    return this.deliver(reply, { text: reply.text });
  }

  /** A file the agent sent: Baileys uploads it to WhatsApp's media servers (encrypted) and sends the message. */
  async sendFile(reply: BridgeReply, file: ReplyFileBytes): Promise<DeliveryOutcome> {
    const bytes = Buffer.from(file.bytes);
    return this.deliver(
      reply,
      PICTURE_TYPES.has(file.mediaType) ? { image: bytes, mimetype: file.mediaType } : { document: bytes, mimetype: file.mediaType, fileName: file.name },
    );
  }

  private async deliver(reply: BridgeReply, content: WhatsAppContent): Promise<DeliveryOutcome> {
    const socket = this.socket;
    if (!socket || !this.open) return { ok: false, retryable: true, error: "WhatsApp is not connected" };
    const quoted = quotedMessage(reply.replyContext);
    try {
      await socket.sendMessage(reply.conversationId ?? reply.recipient, content, quoted ? { quoted } : undefined);
      this.typing.stop(reply.conversationId ?? reply.recipient);
      return { ok: true };
    } catch (err) {
      // A send that fails while the connection drops is retried once it is back; anything else is final.
      const message = err instanceof Error ? err.message : String(err);
      return this.open
        ? { ok: false, retryable: false, error: `WhatsApp: ${message}` }
        : { ok: false, retryable: true, error: `WhatsApp disconnected: ${message}` };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.typing.stopAll();
    this.socket?.end(undefined);
    this.socket = null;
    this.host.state("stopped");
  }

  private async connect(): Promise<void> {
    let auth: Awaited<ReturnType<WhatsAppDeps["loadAuth"]>>;
    try {
      auth = await this.deps.loadAuth(this.authDir);
    } catch (err) {
      this.host.state("failed", `cannot read the WhatsApp session in ${this.authDir}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (this.stopped) return;
    const socket = this.deps.openSocket(auth.state, this.host.log);
    this.socket = socket;
    socket.ev.on(
      "creds.update",
      () => void auth.saveCreds().catch((err: unknown) => this.host.log.error("cannot save the WhatsApp session", { error: String(err) })),
    );
    socket.ev.on("connection.update", (update) => {
      if (this.socket !== socket) return;
      if (update.qr) {
        this.showingQr = true;
        this.host.state("needs_login", "scan the QR code: on the phone, WhatsApp → Settings → Linked devices → Link a device", update.qr);
      }
      if (update.connection === "open") {
        this.open = true;
        this.attempt = 0;
        this.unscannedRounds = 0;
        this.showingQr = false;
        this.host.state("connected");
        this.host.log.info("whatsapp connected", { user: socket.user?.id });
      }
      if (update.connection === "close") this.closed(socket, update.lastDisconnect?.error);
    });
    socket.ev.on("messages.upsert", ({ messages, type }) => {
      // "append" is history synced from the phone, not something to answer now.
      if (type !== "notify" || !socket.user) return;
      for (const msg of messages) {
        const inbound = normalizeWhatsAppMessage(msg, { self: socket.user, groups: this.config.groups });
        if (!inbound) continue;
        if (!inbound.attachments?.length) this.host.receive(inbound);
        else void this.receiveWithMedia(socket, msg, inbound);
        this.typing.start(inbound.conversationId ?? inbound.senderId);
      }
    });
  }

  /** Downloads and decrypts the file first; a failed download leaves it described, and the model is told so. */
  private async receiveWithMedia(socket: WhatsAppSocket, msg: WAMessage, inbound: BridgeInboundMessage): Promise<void> {
    const got = await readWhatsAppMedia(inbound, () => this.deps.downloadMedia(socket, msg, this.host.log));
    if (!got.ok) this.host.log.warn("whatsapp media not downloaded", { messageId: msg.key.id, error: got.error });
    this.host.receive(inbound, got.ok ? got.files : []);
  }

  private closed(socket: WhatsAppSocket, error: Error | undefined): void {
    this.open = false;
    this.socket = null;
    if (this.stopped) return;
    const code = disconnectCode(error);
    const reason = error?.message ?? "connection closed";
    if (code === DisconnectReason.loggedOut) {
      // The phone removed this device: the saved session is useless, and reconnecting with it would loop.
      rmSync(this.authDir, { recursive: true, force: true });
      this.host.state("needs_login", "WhatsApp logged this device out (removed on the phone). Restart the channel (or the bridge) to get a new QR code.");
      return;
    }
    if (code === DisconnectReason.connectionReplaced) {
      this.host.state("failed", "another WhatsApp Web session with this login replaced this one; stop the other bridge, then restart the channel");
      return;
    }
    if (code === DisconnectReason.forbidden || code === DisconnectReason.multideviceMismatch) {
      this.host.state("failed", `WhatsApp refused this device (${code}: ${reason})`);
      return;
    }
    if (this.showingQr && code === DisconnectReason.timedOut && ++this.unscannedRounds >= MAX_UNSCANNED_QR_ROUNDS) {
      this.showingQr = false;
      this.host.state("needs_login", "no QR code was scanned; restart the channel (or the bridge) for a new one");
      return;
    }
    // restartRequired follows a successful scan: reconnect at once with the new session.
    const delay = code === DisconnectReason.restartRequired ? 0 : backoffDelayMs(this.attempt++, RECONNECT);
    if (!this.showingQr) this.host.state("connecting", `${reason}; reconnecting`);
    this.host.log.info("whatsapp reconnect scheduled", { code, inMs: delay });
    socket.end(undefined);
    this.retry = setTimeout(() => void this.connect(), delay);
  }
}

/** Baileys logs through a pino-like logger; only its warnings and errors reach the bridge's log. */
function baileysLogger(log: Logger): Parameters<typeof makeWASocket>[0]["logger"] {
  const text = (obj: unknown, msg?: string) => (msg ?? (typeof obj === "string" ? obj : JSON.stringify(obj))).slice(0, 500);
  const logger: NonNullable<Parameters<typeof makeWASocket>[0]["logger"]> = {
    level: "warn",
    child: () => logger,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg) => log.warn("whatsapp", { detail: text(obj, msg) }),
    error: (obj, msg) => log.error("whatsapp", { detail: text(obj, msg) }),
  };
  return logger;
}

const baileysDeps: WhatsAppDeps = {
  loadAuth: (folder) => useMultiFileAuthState(folder),
  openSocket: (auth, log) =>
    makeWASocket({ auth, logger: baileysLogger(log), browser: Browsers.ubuntu("Loopgate"), markOnlineOnConnect: false, syncFullHistory: false }),
  downloadMedia: (socket, msg, log) =>
    downloadMediaMessage(msg, "stream", {}, { logger: baileysLogger(log)!, reuploadRequest: (m) => socket.updateMediaMessage?.(m) ?? Promise.resolve(m) }),
};

export function createWhatsAppWebChannel(deps: WhatsAppDeps): BridgeChannelType {
  return {
    type: "whatsapp-web",
    start(channel, host: ChannelHost) {
      const parsed = whatsappWebConfigSchema.safeParse(channel.config);
      if (!parsed.success) throw new Error(`invalid whatsapp-web config: ${describeZodError(parsed.error)}`);
      return new WhatsAppWebConnection(parsed.data, host, deps);
    },
  };
}

export const whatsappWebChannel = createWhatsAppWebChannel(baileysDeps);
