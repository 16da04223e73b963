/**
 * How long the objects keep a finished ledger row (a sender's inbox and outbox, a bridge's
 * acknowledged replies and container turns): long enough that a platform's late retry of the
 * same message id is still recognised as a duplicate, short enough that storage stays flat.
 */
export const LEDGER_RETENTION_MS = 7 * 24 * 60 * 60_000;
