/**
 * The Matrix channel as the bridge runs it: one matrix-js-sdk client per channel, logged in
 * with the bot's access token, syncing; Rust crypto for encrypted rooms with its store kept in
 * the data folder (crypto-store.ts). Invitations from allowed users are accepted, others
 * declined (invites.ts); room messages, once decrypted and accepted (trust.ts), are read by
 * src/channels/matrix/inbound.ts, deduplicated across restarts (handled-events.ts), and go to
 * the outbox, with the bytes of an attached file (media.ts: downloaded, decrypted, checked). Replies are sent as outbound.ts builds them, encrypted by the SDK where the room is;
 * a streamed reply grows in one message by edits (live-edits.ts).
 */
import { ClientEvent, HttpApiEvent, type MatrixClient, type MatrixEvent, MatrixEventEvent, type Room, RoomEvent, SyncState, createClient } from "matrix-js-sdk";
import type { RoomMessageEventContent } from "matrix-js-sdk/lib/@types/events.js";
import { type MatrixConfig, matrixConfigSchema } from "../../../../src/channels/matrix";
import { readMatrixEvent } from "../../../../src/channels/matrix/inbound";
import { buildReplyEvent } from "../../../../src/channels/matrix/outbound";
import { describeZodError } from "../../../../src/lib/zod-error";
import type { BridgeReply } from "../../../../src/protocol/bridge";
import type { BridgeChannelType, ChannelHost, DeliveryOutcome, EditableMessages, ReplyFileBytes, RunningChannel } from "../shared/types";
import { encryptAttachment, fileEventContent, uploadMedia } from "./file-upload";
import { type CryptoSnapshot, openCryptoStore } from "./crypto-store";
import { HandledEvents } from "./handled-events";
import { inviteAllowed } from "./invites";
import { quietSdkGlobalLogger, sdkLogger, sendFailure, whoAmI } from "./sdk";
import { refuseEncrypted } from "./trust";
import { downloadMatrixMedia } from "./media";
import { matrixEditableMessages } from "./live-edits";
import { matrixTyping } from "./typing";
import { wantedBytes } from "../shared/media";
import type { InboundFile } from "../../inbound-outbox";

/** Room timeline events a first sync replays per room: enough to catch up on what came while the bridge was down. */
const INITIAL_SYNC_LIMIT = 50;

class MatrixConnection implements RunningChannel {
  private client: MatrixClient | null = null;
  private snapshot: CryptoSnapshot | null = null;
  private readonly handled: HandledEvents;
  private readonly inFlight = new Set<string>();
  private readonly undecryptable = new Set<string>();
  private readonly invitesActedOn = new Set<string>();
  private displayName: string | undefined;
  private stopped = false;
  /** "… is typing" per room from a message's arrival until the reply (or its first streamed part) goes out (typing.ts). */
  private readonly typing = matrixTyping(() => this.client);
  private readonly edits = matrixEditableMessages({
    client: () => this.client,
    flush: async () => void (await this.snapshot?.flush()),
  });
  /** Streamed replies: posted, then edited (live-edits.ts). */
  readonly streaming: EditableMessages = {
    ...this.edits,
    post: async (reply) => {
      const outcome = await this.edits.post(reply);
      if (outcome.ok) this.typing.stop(reply.conversationId ?? reply.recipient);
      return outcome;
    },
  };

  constructor(
    private readonly channelId: string,
    private readonly config: MatrixConfig,
    private readonly host: ChannelHost,
  ) {
    this.handled = new HandledEvents(host.dataDir);
    host.state("connecting");
    void this.start().catch((err: unknown) => this.fail(`could not start: ${err instanceof Error ? err.message : String(err)}`));
  }

  async send(reply: BridgeReply): Promise<DeliveryOutcome> {
    const built = buildReplyEvent(reply);
    if (!built.ok) return { ok: false, retryable: false, error: built.error };
    const client = this.client;
    if (!client || !client.isInitialSyncComplete()) return { ok: false, retryable: true, error: "not synced with the homeserver yet" };
    const { roomId, content, txnId } = built.event;
    if (client.getRoom(roomId)?.getMyMembership() !== "join") return { ok: false, retryable: false, error: `the bot is not in room ${roomId}` };
    try {
      // Content is complete (thread relation included): the SDK must not add one of its own.
      await client.sendMessage(roomId, null, content as unknown as RoomMessageEventContent, txnId);
      await this.snapshot?.flush();
      this.typing.stop(roomId);
      return { ok: true };
    } catch (err) {
      return sendFailure(err);
    }
  }

  /** A file the agent sent: uploaded to the media repository (encrypted first in an encrypted room), then named by an m.image / m.file event. */
  async sendFile(reply: BridgeReply, file: ReplyFileBytes): Promise<DeliveryOutcome> {
    const built = buildReplyEvent(reply);
    if (!built.ok) return { ok: false, retryable: false, error: built.error };
    const client = this.client;
    if (!client || !client.isInitialSyncComplete()) return { ok: false, retryable: true, error: "not synced with the homeserver yet" };
    const { roomId, content: textContent, txnId } = built.event;
    if (client.getRoom(roomId)?.getMyMembership() !== "join") return { ok: false, retryable: false, error: `the bot is not in room ${roomId}` };
    const target = { homeserverUrl: this.config.homeserverUrl, accessToken: this.config.accessToken };
    try {
      const encrypted = (await client.getCrypto()?.isEncryptionEnabledInRoom(roomId)) ?? false;
      let where: Parameters<typeof fileEventContent>[1];
      if (encrypted) {
        const { ciphertext, info } = await encryptAttachment(file.bytes);
        const uploaded = await uploadMedia(target, ciphertext, "application/octet-stream", file.name);
        if (!uploaded.ok) return uploaded;
        where = { file: { ...info, url: uploaded.contentUri } };
      } else {
        const uploaded = await uploadMedia(target, file.bytes, file.mediaType, file.name);
        if (!uploaded.ok) return uploaded;
        where = { url: uploaded.contentUri };
      }
      const content = fileEventContent(file, where, textContent["m.relates_to"]);
      await client.sendMessage(roomId, null, content as unknown as RoomMessageEventContent, txnId);
      await this.snapshot?.flush();
      this.typing.stop(roomId);
      return { ok: true };
    } catch (err) {
      return sendFailure(err);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.typing.stopAll();
    this.client?.stopClient();
    await this.snapshot?.flush().catch((err: unknown) => this.host.log.error("matrix key store not saved", { error: String(err) }));
    this.host.state("stopped");
  }

  private async start(): Promise<void> {
    const { userId, deviceId, homeserverUrl, accessToken } = this.config;
    const me = await whoAmI(homeserverUrl, accessToken);
    if (this.stopped) return;
    if (!me.ok) return me.final ? this.fail(me.error) : this.retryLater(me.error);
    if (me.userId !== userId) return this.fail(`the access token belongs to ${me.userId}, not to ${userId}: set userId to the token's user`);
    if (me.deviceId && me.deviceId !== deviceId)
      return this.fail(`the access token belongs to device ${me.deviceId}, not ${deviceId}: set deviceId to the token's device`);

    quietSdkGlobalLogger();
    const prefix = `loopgate-${this.channelId}`;
    this.snapshot = await openCryptoStore(this.host.dataDir, prefix);
    const snapshot = this.snapshot;
    const client = createClient({
      baseUrl: homeserverUrl,
      userId,
      deviceId,
      accessToken,
      logger: sdkLogger(this.host.log),
      // Crypto state a sync acknowledges (to-device keys the homeserver then deletes) is on disk before the request leaves.
      fetchFn: async (input, init) => {
        if (String(input).includes("/sync?")) await snapshot.flush();
        return fetch(input, init);
      },
    });
    this.client = client;
    await client.initRustCrypto({ useIndexedDB: true, cryptoDatabasePrefix: prefix, storagePassword: this.config.cryptoStorePassphrase });
    if (this.stopped) return;
    this.displayName = await client
      .getProfileInfo(userId)
      .then((p) => p.displayname)
      .catch(() => undefined);

    client.on(ClientEvent.Sync, (state, _prev, data) => {
      if (this.stopped) return;
      if (state === SyncState.Prepared || state === SyncState.Syncing) {
        this.host.state("connected");
        this.actOnInvites();
      } else if (state === SyncState.Reconnecting || state === SyncState.Error) {
        this.host.state("connecting", `cannot sync with the homeserver${data?.error ? `: ${data.error.message}` : ""}; retrying`);
      }
    });
    client.on(HttpApiEvent.SessionLoggedOut, () => {
      client.stopClient();
      this.fail("the homeserver no longer accepts the access token (M_UNKNOWN_TOKEN): log the bot in again and update accessToken and deviceId");
    });
    client.on(RoomEvent.Timeline, (event, room, toStartOfTimeline) => {
      if (room && !toStartOfTimeline) void this.onEvent(event, room);
    });
    // An encrypted event whose key arrives later is decrypted then: it comes back through here.
    client.on(MatrixEventEvent.Decrypted, (event) => {
      const room = client.getRoom(event.getRoomId());
      if (room) void this.onEvent(event, room);
    });
    await client.startClient({ initialSyncLimit: INITIAL_SYNC_LIMIT, lazyLoadMembers: false });
    this.host.log.info("matrix channel starting", { userId, deviceId, homeserver: new URL(homeserverUrl).host });
  }

  private async onEvent(event: MatrixEvent, room: Room): Promise<void> {
    const eventId = event.getId();
    if (!eventId || this.stopped || this.inFlight.has(eventId) || this.handled.has(eventId)) return;
    // The bot's own replies come back through the sync too: never questions, not worth remembering.
    if (event.getSender() === this.config.userId) return;
    if (this.handled.skip(eventId, event.getTs())) return;
    if (event.isEncrypted() && !event.getClearContent()) {
      if (event.isBeingDecrypted()) return; // the Decrypted event brings it back
      if (event.isDecryptionFailure() && !this.undecryptable.has(eventId)) {
        this.undecryptable.add(eventId);
        this.host.log.warn("matrix message not decrypted (yet)", { roomId: room.roomId, eventId, reason: event.decryptionFailureReason ?? "unknown" });
      }
      return;
    }
    if (event.getType() !== "m.room.message") return;
    this.inFlight.add(eventId);
    try {
      if (event.isEncrypted()) {
        const crypto = this.client?.getCrypto();
        const sender = event.getSender() ?? "";
        const info = (await crypto?.getEncryptionInfoForEvent(event)) ?? null;
        const refusal = refuseEncrypted(info, (await crypto?.userHasCrossSigningKeys(sender)) ?? false);
        if (refusal) {
          this.host.log.warn("matrix message refused", { roomId: room.roomId, eventId, sender: event.getSender(), reason: refusal });
          return this.handled.mark(eventId, event.getTs());
        }
      }
      const sender = event.getSender() ?? "";
      const botName = room.getMember(this.config.userId)?.name ?? this.displayName;
      const outcome = readMatrixEvent(
        { eventId, roomId: room.roomId, sender, type: event.getType(), content: event.getContent() },
        { direct: room.getInvitedAndJoinedMemberCount() <= 2, senderName: room.getMember(sender)?.name },
        { userId: this.config.userId, displayName: botName },
      );
      if (outcome.kind === "message") {
        // The key that decrypted it is on disk before the event counts as handled.
        if (event.isEncrypted()) await this.snapshot?.flush();
        this.host.receive(outcome.message, await this.fileOf(outcome, eventId));
        this.typing.start(room.roomId);
      }
      this.handled.mark(eventId, event.getTs());
    } finally {
      this.inFlight.delete(eventId);
    }
  }

  /**
   * The attached file's bytes, when the model would read it and it is within the limits: only
   * the bridge can fetch them (the token, the event's key). A failed download leaves the
   * attachment described, and the model is told it could not be downloaded.
   */
  private async fileOf(outcome: Extract<ReturnType<typeof readMatrixEvent>, { kind: "message" }>, eventId: string): Promise<InboundFile[]> {
    const attachment = outcome.message.attachments?.[0];
    const maxBytes = attachment ? wantedBytes(attachment) : null;
    if (!outcome.media || !attachment || maxBytes === null) return [];
    const { homeserverUrl, accessToken } = this.config;
    const got = await downloadMatrixMedia({ homeserverUrl, accessToken, source: outcome.media, maxBytes });
    if (got.ok) return [{ index: 0, bytes: got.bytes }];
    this.host.log.warn("matrix file not downloaded", { eventId, encrypted: !!outcome.media.encrypted, error: got.error });
    return [];
  }

  /** Invitations are read after each sync: those from allowed users are accepted, the rest declined. */
  private actOnInvites(): void {
    const client = this.client;
    if (!client) return;
    for (const room of client.getRooms()) {
      if (room.getMyMembership() !== "invite" || this.invitesActedOn.has(room.roomId)) continue;
      this.invitesActedOn.add(room.roomId);
      const inviter = room.getMember(this.config.userId)?.events.member?.getSender() ?? "";
      const allowed = inviteAllowed(inviter, this.config);
      const act = allowed ? client.joinRoom(room.roomId) : client.leave(room.roomId);
      void act.then(
        () => this.host.log.info(allowed ? "matrix invitation accepted" : "matrix invitation declined", { roomId: room.roomId, inviter }),
        (err: unknown) => {
          this.invitesActedOn.delete(room.roomId);
          this.host.log.warn("matrix invitation not handled", { roomId: room.roomId, inviter, error: err instanceof Error ? err.message : String(err) });
        },
      );
    }
  }

  private fail(reason: string): void {
    if (this.stopped) return;
    this.host.log.error("matrix channel failed", { reason });
    this.host.state("failed", reason);
  }

  private retryLater(reason: string): void {
    this.host.state("connecting", `${reason}; retrying`);
    setTimeout(() => {
      if (!this.stopped) void this.start().catch((err: unknown) => this.fail(`could not start: ${String(err)}`));
    }, 5000).unref();
  }
}

export const matrixChannel: BridgeChannelType = {
  type: "matrix",
  start(channel, host) {
    const parsed = matrixConfigSchema.safeParse(channel.config);
    if (!parsed.success) throw new Error(`invalid matrix config: ${describeZodError(parsed.error)}`);
    return new MatrixConnection(channel.id, parsed.data, host);
  },
};
