/**
 * Where the bot's end-to-end encryption keys live between restarts. matrix-js-sdk's Rust crypto
 * keeps its store in IndexedDB, which Node lacks; the bridge gives it an in-memory IndexedDB
 * (fake-indexeddb, as the SDK's own tests run it) and snapshots every database of it into one
 * file in the channel's data folder, restored before the crypto opens. The snapshot is taken
 * before each /sync request (so to-device keys the homeserver then forgets are on disk first)
 * and before a decrypted message is handed on. With a passphrase the SDK encrypts the values;
 * the file itself is written 0600, atomically.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { writeFileDurably } from "../../durable-file";

interface IndexDump {
  name: string;
  keyPath: string | string[];
  unique: boolean;
  multiEntry: boolean;
}

interface StoreDump {
  name: string;
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: IndexDump[];
  keys: IDBValidKey[];
  values: unknown[];
}

interface DatabaseDump {
  name: string;
  version: number;
  stores: StoreDump[];
}

const done = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });

const finished = (tx: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });

/** Every database of `factory`, each read in one transaction over all its stores (a consistent view). */
export async function dumpIndexedDb(factory: IDBFactory, prefix: string): Promise<DatabaseDump[]> {
  const out: DatabaseDump[] = [];
  for (const info of await factory.databases()) {
    if (!info.name?.startsWith(prefix)) continue;
    const db = await done(factory.open(info.name));
    try {
      const names = Array.from(db.objectStoreNames);
      const stores: StoreDump[] = [];
      if (names.length > 0) {
        const tx = db.transaction(names, "readonly");
        for (const name of names) {
          const store = tx.objectStore(name);
          const indexes = Array.from(store.indexNames).map((i) => {
            const index = store.index(i);
            return { name: i, keyPath: index.keyPath, unique: index.unique, multiEntry: index.multiEntry };
          });
          const [keys, values] = await Promise.all([done(store.getAllKeys()), done(store.getAll())]);
          stores.push({ name, keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes, keys, values });
        }
        await finished(tx);
      }
      out.push({ name: info.name, version: db.version, stores });
    } finally {
      db.close();
    }
  }
  return out;
}

/** Recreates the databases of a dump (schemas at their versions, then the records) in `factory`. */
export async function restoreIndexedDb(factory: IDBFactory, dump: DatabaseDump[]): Promise<void> {
  for (const d of dump) {
    const request = factory.open(d.name, d.version);
    request.onupgradeneeded = () => {
      for (const s of d.stores) {
        const store = request.result.createObjectStore(s.name, { keyPath: s.keyPath, autoIncrement: s.autoIncrement });
        for (const i of s.indexes) store.createIndex(i.name, i.keyPath, { unique: i.unique, multiEntry: i.multiEntry });
      }
    };
    const db = await done(request);
    try {
      if (d.stores.length === 0) continue;
      const tx = db.transaction(
        d.stores.map((s) => s.name),
        "readwrite",
      );
      for (const s of d.stores) {
        const store = tx.objectStore(s.name);
        s.values.forEach((value, i) => store.put(value, s.keyPath === null ? s.keys[i] : undefined));
      }
      await finished(tx);
    } finally {
      db.close();
    }
  }
}

/**
 * The channel's crypto store: IndexedDB made available (fake-indexeddb's globals, which the
 * SDK's wasm crypto looks up), and this channel's databases (named by `prefix`) restored from
 * its data folder unless this process already holds them (a channel restarted in place).
 */
export async function openCryptoStore(dataDir: string, prefix: string): Promise<CryptoSnapshot> {
  if (!("indexedDB" in globalThis)) await import("./indexeddb");
  const snapshot = new CryptoSnapshot(dataDir, globalThis.indexedDB, prefix);
  const held = (await globalThis.indexedDB.databases()).some((d) => d.name?.startsWith(prefix));
  if (!held) await snapshot.restore();
  return snapshot;
}

/** The snapshot file of one channel and the IndexedDB databases it mirrors. */
export class CryptoSnapshot {
  private readonly file: string;
  private last: Buffer | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly factory: IDBFactory,
    private readonly prefix: string,
  ) {
    this.file = join(dataDir, "matrix-crypto.v8");
  }

  /** Loads the snapshot, if any, into the IndexedDB; true when there was one. */
  async restore(): Promise<boolean> {
    if (!existsSync(this.file)) return false;
    const bytes = readFileSync(this.file);
    await restoreIndexedDb(this.factory, deserialize(bytes) as DatabaseDump[]);
    this.last = bytes;
    return true;
  }

  /** Writes the IndexedDB's current contents to disk if they changed; calls queue behind each other. */
  flush(): Promise<void> {
    // A failed flush rejects its own caller; the next one starts afresh.
    this.running = this.running
      .catch(() => {})
      .then(async () => {
        const bytes = serialize(await dumpIndexedDb(this.factory, this.prefix));
        if (this.last?.equals(bytes)) return;
        writeFileDurably(this.file, bytes);
        this.last = bytes;
      });
    return this.running;
  }
}
