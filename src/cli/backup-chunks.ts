/**
 * `loopgate import` sends rows in chunks, each a request under the API's body limit
 * (API_MAX_BODY_BYTES, 1 MiB by default); kept apart from the command so it is tested alone.
 */
import { CliError } from "./errors";

/** Under the API's default 1 MiB body limit, with room for the request's envelope. */
export const CHUNK_BYTES = 512 * 1024;

/** Splits rows into chunks whose JSON stays under CHUNK_BYTES; a single row over it cannot be sent. */
export function chunkRows<Row extends unknown[]>(rows: Row[], what: string): Row[][] {
  const chunks: Row[][] = [];
  let current: Row[] = [];
  let size = 0;
  for (const row of rows) {
    const rowBytes = Buffer.byteLength(JSON.stringify(row)) + 1;
    if (rowBytes > CHUNK_BYTES) {
      throw new CliError(`a row of ${what} is ${rowBytes} bytes, more than one request may carry`, "raise API_MAX_BODY_BYTES on the gateway for the import");
    }
    if (size + rowBytes > CHUNK_BYTES && current.length > 0) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(row);
    size += rowBytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
