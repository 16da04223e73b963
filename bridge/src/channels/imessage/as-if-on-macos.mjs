// Loaded with `node --import` into a bridge started by imessage.e2e.test.ts: the bridge then
// runs its Mac path (BlueBubbles polling) on a Linux test machine. Tests only; nothing imports it.
Object.defineProperty(process, "platform", { value: "darwin" });
