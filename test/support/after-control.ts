/**
 * How a test shows that something did NOT happen (no second reply, nothing stored from a
 * rejected request) without sleeping a fixed time, which would let a late duplicate slip
 * through on a slow machine. The test sends one more, valid message from the same sender on
 * the same channel and waits for its answer. The gateway persists a message before it
 * acknowledges it and handles each sender's messages in arrival order, delivering a pass's
 * replies together, so once the control message is answered everything accepted before it
 * has been handled and answered too: the queue is provably idle and the negative check is
 * final. Plain TypeScript, so Worker tests and end-to-end tests share it.
 */

/**
 * Sends a control message (`send` gets its unique text) and waits until a reply quoting that
 * text shows up in `outbox` (the fake platform's list of sent messages); then takes the
 * control's replies out of `outbox`, so the test's own expectations see only what it caused.
 */
export async function settleWithControl<T>(
  send: (text: string) => Promise<unknown>,
  outbox: T[],
  textOf: (sent: T) => string | undefined,
  timeoutMs = 15_000,
): Promise<void> {
  const text = `control ${crypto.randomUUID().slice(0, 8)}`;
  const isControl = (sent: T) => textOf(sent)?.includes(text) ?? false;
  await send(text);
  const deadline = Date.now() + timeoutMs;
  while (!outbox.some(isControl)) {
    if (Date.now() > deadline) throw new Error(`the control message was not answered within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  for (let i = outbox.length - 1; i >= 0; i--) if (isControl(outbox[i]!)) outbox.splice(i, 1);
}
