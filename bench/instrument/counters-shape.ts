/** What the instrumented Worker reports at `GET /api/__bench/counters`; shared with the Node side of the bench. */

/** Totals since the Worker started; read from `GET /api/__bench/counters`. */
export interface StorageCounters {
  /** Random per isolate: if it changes between two reads, the Worker was reloaded and the counts restarted. */
  isolate: string;
  d1Statements: number;
  d1Batches: number;
  /** Requests to D1 (a batch is one). */
  d1RoundTrips: number;
  d1RowsWritten: number;
  d1RowsRead: number;
  doSqlStatements: number;
  doSqlRowsWritten: number;
  doSqlRowsRead: number;
  doKvOperations: number;
  doAlarmOperations: number;
  /**
   * Rows written (index entries and trigger writes included), by store and the table a statement
   * names: "D1 messages", "DO inbox". A batch's rows go to each statement's own table.
   */
  rowsWrittenByTable: Record<string, number>;
  /** D1 rows read, by the table a statement reads first (FROM, else the table it writes). */
  d1RowsReadByTable: Record<string, number>;
}
