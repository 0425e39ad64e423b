import type { Readable } from 'node:stream';
import { finished } from 'node:stream';
import type { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { type HeldClient, holdClient } from '../shared/database/index.js';
import type { AuditFilters } from './audit-params.js';
import { auditExportSql, type ExportFormat } from './audit-sql.js';
import type { Principal } from './principal.js';
import { beginReader } from './reader-transaction.js';
import { settingValues } from './sql-values.js';

/**
 * Drops a connection whose COPY TO was cut short. Postgres is then blocked writing rows nobody
 * reads, so a polite end() would wait for it forever: closing the socket makes the backend's
 * next write fail, and it rolls back and exits. pg has no public way to do this.
 */
function discard(held: HeldClient, err: Error) {
  const internals = held.client as unknown as { connection?: { stream?: { destroy(): void } } };
  internals.connection?.stream?.destroy();
  held.markBroken(err);
  held.release(err);
}

/**
 * Starts `COPY (SELECT …) TO STDOUT` for the filters and returns the stream of CSV or JSONL
 * bytes. The caller pipes it to the response: when the client reads slowly the stream pauses,
 * pg-copy-streams stops reading the socket and Postgres waits, so memory stays flat whatever
 * the row count.
 *
 * COPY takes no bind parameters. Rather than splice quoted literals into its text, the filter
 * values are stored as transaction-local settings with a parameterised set_config() and the
 * COPY's query reads them back with current_setting() (see sql-values.ts): the statement text
 * is built from our own fragments only, so there is nothing to escape.
 *
 * The connection is committed and returned to the pool when the stream ends; if the stream
 * fails or is destroyed (the client went away) mid-COPY the connection is discarded.
 */
export async function openAuditExport(
  pool: Pool,
  principal: Principal,
  filters: AuditFilters,
  format: ExportFormat,
): Promise<Readable> {
  // Held for as long as the stream lives: the server may go away mid-export.
  const held = await holdClient(pool);
  const client = held.client;
  try {
    await beginReader(client, principal, { timeoutMs: 0 });
    const values = settingValues();
    const sql = auditExportSql(filters, format, values);
    const settings = values.statement();
    if (settings) await client.query(settings.text, settings.values);
    const stream = client.query(copyTo(sql));
    finished(stream, (err) => {
      if (err) {
        discard(held, err);
        return;
      }
      client.query('COMMIT').then(
        () => held.release(),
        (commitError: Error) => held.release(commitError),
      );
    });
    return stream;
  } catch (err) {
    held.release(err);
    throw err;
  }
}
