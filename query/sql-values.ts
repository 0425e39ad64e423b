import { createHash } from 'node:crypto';

/** Postgres types the query builders bind values as. */
export type SqlType = 'text' | 'timestamptz' | 'date' | 'bigint' | 'integer';

/**
 * Where a query builder puts a value: it returns the SQL that reads the value back, never the
 * value itself, so user input cannot change the text of a statement.
 */
export interface SqlValues {
  add(value: string | number, type: SqlType): string;
}

/** Ordinary bind parameters: `$1::text`, with the values passed beside the statement. */
export function bindValues(): SqlValues & { values: (string | number)[] } {
  const values: (string | number)[] = [];
  return {
    values,
    add(value, type) {
      values.push(value);
      return `$${values.length}::${type}`;
    },
  };
}

/** The statement that stores `settings` for one transaction; its values are bind parameters. */
export interface SettingsStatement {
  text: string;
  values: string[];
}

/**
 * Transaction-local settings, for statements that cannot take bind parameters (COPY): each
 * value is stored with `set_config(name, $n, true)` (itself bound) and the statement reads it
 * with `current_setting(name)`. The names are ours (spanledger.q1, q2, ...), never the
 * client's, and the values never become SQL text.
 */
export function settingValues(): SqlValues & { statement(): SettingsStatement | undefined } {
  const values: string[] = [];
  return {
    add(value, type) {
      values.push(String(value));
      return `current_setting('spanledger.q${values.length}')::${type}`;
    },
    statement() {
      if (values.length === 0) return undefined;
      const calls = values.map((_, i) => `set_config('spanledger.q${i + 1}', $${i + 1}, true)`);
      return { text: `SELECT ${calls.join(', ')}`, values };
    },
  };
}

/**
 * A named statement, so each pooled connection parses and plans a query shape once and reuses
 * it (planning an audit page over a dozen partitions costs about as much as running it). The
 * name is a digest of the text: the same filters give the same statement.
 */
export function prepared(text: string, values: readonly (string | number)[]) {
  return {
    name: `sl_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`,
    text,
    values: [...values],
  };
}
