/** The crypto store's snapshot: every database of a prefix, schema and records, back as it was. */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IDBFactory } from "fake-indexeddb";
import { afterAll, describe, expect, it } from "vitest";
import { CryptoSnapshot, dumpIndexedDb, restoreIndexedDb } from "./crypto-store";

const done = <T>(r: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

/** A database shaped like the Rust crypto's: in-line and out-of-line keys, an index, binary values. */
async function seed(factory: IDBFactory, name: string): Promise<void> {
  const open = factory.open(name, 3);
  open.onupgradeneeded = () => {
    const sessions = open.result.createObjectStore("inbound_group_sessions", { keyPath: "id" });
    sessions.createIndex("room", "roomId", { unique: false });
    open.result.createObjectStore("core");
  };
  const db = await done(open);
  const tx = db.transaction(["inbound_group_sessions", "core"], "readwrite");
  tx.objectStore("inbound_group_sessions").put({ id: "s1", roomId: "!a:x", pickle: new Uint8Array([1, 2, 3]) });
  tx.objectStore("inbound_group_sessions").put({ id: "s2", roomId: "!b:x", pickle: new Uint8Array([4]) });
  tx.objectStore("core").put({ account: "pickled" }, "account");
  await new Promise((r) => (tx.oncomplete = r));
  db.close();
}

describe("Matrix crypto snapshot", () => {
  const dir = mkdtempSync(join(tmpdir(), "loopgate-matrix-crypto-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("restores schema, indexes and records of the channel's databases only", async () => {
    const before = new IDBFactory();
    await seed(before, "loopgate-ch_1::matrix-sdk-crypto");
    await seed(before, "loopgate-ch_2::matrix-sdk-crypto");
    const dump = await dumpIndexedDb(before, "loopgate-ch_1");
    expect(dump.map((d) => d.name)).toEqual(["loopgate-ch_1::matrix-sdk-crypto"]);

    const after = new IDBFactory();
    await restoreIndexedDb(after, dump);
    const db = await done(after.open("loopgate-ch_1::matrix-sdk-crypto"));
    expect(db.version).toBe(3);
    const tx = db.transaction(["inbound_group_sessions", "core"], "readonly");
    const byRoom = await done(tx.objectStore("inbound_group_sessions").index("room").getAll("!a:x"));
    expect(byRoom).toEqual([{ id: "s1", roomId: "!a:x", pickle: new Uint8Array([1, 2, 3]) }]);
    expect(await done(tx.objectStore("core").get("account"))).toEqual({ account: "pickled" });
    db.close();
  });

  it("writes the file only when something changed, and a new process reads it back", async () => {
    const factory = new IDBFactory();
    await seed(factory, "loopgate-ch_3::store");
    const snapshot = new CryptoSnapshot(dir, factory, "loopgate-ch_3");
    await snapshot.flush();
    const { mtimeMs } = statSync(join(dir, "matrix-crypto.v8"));
    await snapshot.flush();
    expect(statSync(join(dir, "matrix-crypto.v8")).mtimeMs).toBe(mtimeMs);

    const fresh = new IDBFactory();
    expect(await new CryptoSnapshot(dir, fresh, "loopgate-ch_3").restore()).toBe(true);
    expect(await dumpIndexedDb(fresh, "loopgate-ch_3")).toEqual(await dumpIndexedDb(factory, "loopgate-ch_3"));
  });
});
