// The tamper-evident chain's state. ledger_heads and ledger_checkpoints are readable by
// spanledger_admin_reader only (verification needs every tenant's rows): a tenant token's
// transaction gets a permission error, so callers ask only for admin principals.

/** Every chain's head, as one JSON array. */
export const LEDGER_HEADS_SQL = `
SELECT coalesce(json_agg(row_to_json(h) ORDER BY h.chain_id), '[]')::text AS json
FROM (SELECT chain_id, seq, encode(head, 'hex') AS head, checkpointed_seq, updated_at
      FROM spanledger.ledger_heads) h`;

/** The latest checkpoint, or JSON null. */
export const LEDGER_CHECKPOINT_SQL = `
SELECT coalesce((SELECT row_to_json(c)::text
  FROM (SELECT id, at, encode(checkpoint_hash, 'hex') AS checkpoint_hash,
               (SELECT count(*) FROM jsonb_object_keys(heads))::int AS chains
        FROM spanledger.ledger_checkpoints ORDER BY id DESC LIMIT 1) c), 'null') AS json`;
