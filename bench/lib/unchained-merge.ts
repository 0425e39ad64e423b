import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { migrationsDir } from '../../migrations/index.js';

/**
 * The merge of migrations/sql/1796500000000_trust.sql without its hash chain (no row hashes, no
 * Merkle root, no batch row), derived from the migration's own text so the two differ in nothing
 * else: the baseline that prices the chain in the same run. Installed as merge_stage in a
 * benchmark database only.
 */
export async function unchainedMergeSql(): Promise<string> {
  const migration = await readFile(join(migrationsDir(), '1796500000000_trust.sql'), 'utf8');
  const start = migration.indexOf('CREATE FUNCTION spanledger.merge_stage(chain text)');
  const end = migration.indexOf('$$;', migration.indexOf('RETURN NEXT;', start)) + 3;
  let sql = migration.slice(start, end).replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
  sql = replaceCalls(sql, 'sha256(convert_to(spanledger.audit_row_text_v1(', 'NULL::bytea');
  sql = replaceCalls(sql, 'sha256(convert_to(spanledger.usage_row_text_v1(', 'NULL::bytea');
  const ifAt = sql.indexOf('  IF inserted > 0 THEN');
  const endIf = sql.indexOf('  END IF;', ifAt) + '  END IF;'.length;
  return sql.slice(0, ifAt) + sql.slice(endIf);
}

/** Replaces each call that starts with `opening` (through its balanced closing parens). */
function replaceCalls(sql: string, opening: string, by: string): string {
  for (let at = sql.indexOf(opening); at >= 0; at = sql.indexOf(opening, at)) {
    let depth = 0;
    let i = at;
    for (; i < sql.length; i++) {
      if (sql[i] === '(') depth++;
      else if (sql[i] === ')' && --depth === 0) break;
    }
    sql = sql.slice(0, at) + by + sql.slice(i + 1);
  }
  return sql;
}
