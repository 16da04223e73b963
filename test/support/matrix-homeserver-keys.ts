/**
 * The end-to-end encryption side of the fake Matrix homeserver (test/support/matrix-homeserver.ts):
 * device keys, one-time and fallback keys, and the to-device inboxes Olm and Megolm key
 * sharing travel through. It keeps what Synapse keeps and refuses what Synapse refuses: a
 * one-time key id uploaded again with different content, device keys for another user or device.
 * https://spec.matrix.org/v1.12/client-server-api/#end-to-end-encryption
 */

type Json = Record<string, unknown>;

/** A to-device message waiting for its device's next sync. */
interface Queued {
  pos: number;
  event: { type: string; sender: string; content: Json };
}

export class FakeKeyStore {
  /** userId → deviceId → the signed device keys it uploaded. */
  readonly deviceKeys = new Map<string, Map<string, Json>>();
  /** "userId|deviceId" → keyId ("signed_curve25519:AAAAAQ") → key. */
  private readonly oneTimeKeys = new Map<string, Map<string, unknown>>();
  private readonly fallbackKeys = new Map<string, Map<string, unknown>>();
  private readonly inboxes = new Map<string, Queued[]>();
  /** Stream positions at which a user's device list changed. */
  readonly deviceListChanges: { pos: number; userId: string }[] = [];

  constructor(private readonly nextPos: () => number) {}

  /** POST /keys/upload: an error string for a 400, else the one-time key counts. */
  upload(userId: string, deviceId: string, body: Json): { error: string } | { counts: Record<string, number> } {
    const id = `${userId}|${deviceId}`;
    const keys = body.device_keys as Json | undefined;
    if (keys) {
      if (keys.user_id !== userId || keys.device_id !== deviceId) return { error: "User ID or device ID in device_keys does not match the access token" };
      const devices = this.deviceKeys.get(userId) ?? new Map<string, Json>();
      const before = devices.get(deviceId);
      devices.set(deviceId, keys);
      this.deviceKeys.set(userId, devices);
      if (JSON.stringify(before) !== JSON.stringify(keys)) this.deviceListChanges.push({ pos: this.nextPos(), userId });
    }
    const otks = (body.one_time_keys ?? {}) as Json;
    const stored = this.oneTimeKeys.get(id) ?? new Map<string, unknown>();
    for (const [keyId, key] of Object.entries(otks)) {
      const existing = stored.get(keyId) ?? this.claimedOneTimeKeys.get(`${id}|${keyId}`);
      // Synapse: "One time key ... already exists. Old key: ...; new key: ..." (400 M_INVALID_PARAM).
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(key)) return { error: `One time key ${keyId} already exists` };
    }
    for (const [keyId, key] of Object.entries(otks)) if (!this.claimedOneTimeKeys.has(`${id}|${keyId}`)) stored.set(keyId, key);
    this.oneTimeKeys.set(id, stored);
    const fallback = (body.fallback_keys ?? body["org.matrix.msc2732.fallback_keys"]) as Json | undefined;
    if (fallback && Object.keys(fallback).length > 0) this.fallbackKeys.set(id, new Map(Object.entries(fallback)));
    return { counts: this.counts(userId, deviceId) };
  }

  /** One-time keys handed out: a re-upload of the same id must still match (Synapse remembers them). */
  private readonly claimedOneTimeKeys = new Map<string, unknown>();

  counts(userId: string, deviceId: string): Record<string, number> {
    const counts: Record<string, number> = { signed_curve25519: 0 };
    for (const keyId of this.oneTimeKeys.get(`${userId}|${deviceId}`)?.keys() ?? []) {
      const algorithm = keyId.split(":")[0] ?? "";
      counts[algorithm] = (counts[algorithm] ?? 0) + 1;
    }
    return counts;
  }

  unusedFallbackKeyTypes(userId: string, deviceId: string): string[] {
    return [...(this.fallbackKeys.get(`${userId}|${deviceId}`)?.keys() ?? [])].map((k) => k.split(":")[0] ?? "");
  }

  /** userId → its cross-signing keys (master, self_signing, user_signing), as uploaded. */
  private readonly crossSigning = new Map<string, Record<string, Json>>();

  /** POST /keys/device_signing/upload (the caller's own identity; no user-interactive auth here). */
  uploadCrossSigning(userId: string, body: Json): void {
    const keys = this.crossSigning.get(userId) ?? {};
    for (const kind of ["master_key", "self_signing_key", "user_signing_key"]) if (body[kind]) keys[kind] = body[kind] as Json;
    this.crossSigning.set(userId, keys);
    this.deviceListChanges.push({ pos: this.nextPos(), userId });
  }

  /** POST /keys/signatures/upload: signatures merged into the device keys or master key they sign. */
  uploadSignatures(body: Json): void {
    for (const [userId, byKey] of Object.entries(body as Record<string, Record<string, Json>>)) {
      for (const [keyId, signed] of Object.entries(byKey)) {
        const master = this.crossSigning.get(userId)?.master_key;
        const target =
          this.deviceKeys.get(userId)?.get(keyId) ?? (master && Object.keys(master.keys as Json).some((k) => k.endsWith(`:${keyId}`)) ? master : undefined);
        if (!target) continue;
        const signatures = (target.signatures ?? {}) as Record<string, Json>;
        for (const [signer, sigs] of Object.entries((signed.signatures ?? {}) as Record<string, Json>)) signatures[signer] = { ...signatures[signer], ...sigs };
        target.signatures = signatures;
      }
      this.deviceListChanges.push({ pos: this.nextPos(), userId });
    }
  }

  /** POST /keys/query: the user-signing key only to its owner, as the spec says. */
  query(body: Json, requester: string): Json {
    const wanted = (body.device_keys ?? {}) as Record<string, string[]>;
    const deviceKeys: Record<string, Json> = {};
    for (const [userId, ids] of Object.entries(wanted)) {
      const devices = this.deviceKeys.get(userId) ?? new Map<string, Json>();
      const out: Json = {};
      for (const [deviceId, keys] of devices) if (ids.length === 0 || ids.includes(deviceId)) out[deviceId] = keys;
      deviceKeys[userId] = out;
    }
    const master: Json = {};
    const selfSigning: Json = {};
    const userSigning: Json = {};
    for (const userId of Object.keys(wanted)) {
      const keys = this.crossSigning.get(userId);
      if (keys?.master_key) master[userId] = keys.master_key;
      if (keys?.self_signing_key) selfSigning[userId] = keys.self_signing_key;
      if (keys?.user_signing_key && userId === requester) userSigning[userId] = keys.user_signing_key;
    }
    return { device_keys: deviceKeys, failures: {}, master_keys: master, self_signing_keys: selfSigning, user_signing_keys: userSigning };
  }

  /** POST /keys/claim: one one-time key per device, else its fallback key (which stays). */
  claim(body: Json): Json {
    const wanted = (body.one_time_keys ?? {}) as Record<string, Record<string, string>>;
    const result: Record<string, Record<string, Json>> = {};
    for (const [userId, devices] of Object.entries(wanted)) {
      for (const [deviceId, algorithm] of Object.entries(devices)) {
        const id = `${userId}|${deviceId}`;
        const stored = this.oneTimeKeys.get(id);
        const keyId = [...(stored?.keys() ?? [])].find((k) => k.startsWith(`${algorithm}:`));
        let claimed: Json | null = null;
        if (stored && keyId) {
          claimed = { [keyId]: stored.get(keyId) };
          this.claimedOneTimeKeys.set(`${id}|${keyId}`, stored.get(keyId));
          stored.delete(keyId);
        } else {
          const fallback = [...(this.fallbackKeys.get(id)?.entries() ?? [])].find(([k]) => k.startsWith(`${algorithm}:`));
          if (fallback) claimed = { [fallback[0]]: fallback[1] };
        }
        if (claimed) {
          result[userId] ??= {};
          result[userId][deviceId] = claimed;
        }
      }
    }
    return { one_time_keys: result, failures: {} };
  }

  /** PUT /sendToDevice/{type}/{txnId}: `*` means every device of that user. */
  sendToDevice(sender: string, type: string, messages: Record<string, Record<string, Json>>): void {
    for (const [userId, byDevice] of Object.entries(messages)) {
      for (const [deviceId, content] of Object.entries(byDevice)) {
        const targets = deviceId === "*" ? [...(this.deviceKeys.get(userId)?.keys() ?? [])] : [deviceId];
        for (const target of targets) {
          const key = `${userId}|${target}`;
          const inbox = this.inboxes.get(key) ?? [];
          inbox.push({ pos: this.nextPos(), event: { type, sender, content } });
          this.inboxes.set(key, inbox);
        }
      }
    }
  }

  /** To-device messages for a sync; those up to `since` were acknowledged by asking past them, so they go. */
  toDeviceFor(userId: string, deviceId: string, since: number): { events: Queued["event"][]; newest: number } {
    const key = `${userId}|${deviceId}`;
    const inbox = (this.inboxes.get(key) ?? []).filter((q) => q.pos > since);
    this.inboxes.set(key, inbox);
    return { events: inbox.map((q) => q.event), newest: inbox.reduce((m, q) => Math.max(m, q.pos), 0) };
  }

  pendingFor(userId: string, deviceId: string, since: number): boolean {
    return (this.inboxes.get(`${userId}|${deviceId}`) ?? []).some((q) => q.pos > since);
  }
}
