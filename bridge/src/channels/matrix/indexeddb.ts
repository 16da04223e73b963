/**
 * IndexedDB for the Rust crypto in Node: fake-indexeddb's globals (indexedDB, IDBKeyRange...),
 * which the SDK's wasm looks up on globalThis. Loaded by crypto-store.ts when a Matrix channel
 * starts, so a bridge without Matrix channels never installs them.
 */
import "fake-indexeddb/auto";
