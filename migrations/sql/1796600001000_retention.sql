-- Up Migration
-- Retention with an archive (issue 15). `spanledger retention` (run as the owner) archives whole
-- monthly partitions of audit_log and llm_usage, then detaches and drops them. What it removed
-- stays provable:
--   * retention_cuts: one row per run — who, when, the cut date, the partitions and the SHA-256
--     of the archive's manifest.json (which holds each file's SHA-256 and row count, and the
--     ledger chain heads at the cut);
--   * retention_row_hashes: the row hash, key and batch of every chained row removed. A ledger
--     batch may hold rows of both sides of the cut; with these hashes `spanledger verify` still
--     recomputes every batch's Merkle root, so the chain is checked whole, and the rows after the
--     cut are checked row by row as before. Both tables are append-only like the ledgers.

CREATE TABLE spanledger.retention_cuts (
  id              bigint PRIMARY KEY,
  cut_before      timestamptz NOT NULL,
  at              timestamptz NOT NULL DEFAULT now(),
  by_user         text NOT NULL DEFAULT session_user,
  partitions      text[] NOT NULL,
  rows_removed    bigint NOT NULL,
  manifest_sha256 bytea NOT NULL,
  manifest        jsonb NOT NULL
);
CREATE SEQUENCE spanledger.retention_cuts_id_seq OWNED BY spanledger.retention_cuts.id;

CREATE TABLE spanledger.retention_row_hashes (
  cut_id     bigint NOT NULL REFERENCES spanledger.retention_cuts (id),
  kind       text NOT NULL CHECK (kind IN ('audit', 'usage')),
  chain_id   text COLLATE "C" NOT NULL,
  seq        bigint NOT NULL,
  trace_id   text COLLATE "C" NOT NULL,
  span_id    text COLLATE "C" NOT NULL,
  started_at timestamptz NOT NULL,
  row_hash   bytea NOT NULL
);
CREATE INDEX retention_row_hashes_batch_idx ON spanledger.retention_row_hashes (chain_id, seq);

CREATE TRIGGER retention_cuts_immutable BEFORE UPDATE OR DELETE ON spanledger.retention_cuts
  FOR EACH ROW EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER retention_cuts_no_truncate BEFORE TRUNCATE ON spanledger.retention_cuts
  FOR EACH STATEMENT EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER retention_row_hashes_immutable BEFORE UPDATE OR DELETE ON spanledger.retention_row_hashes
  FOR EACH ROW EXECUTE FUNCTION spanledger.reject_mutation();
CREATE TRIGGER retention_row_hashes_no_truncate BEFORE TRUNCATE ON spanledger.retention_row_hashes
  FOR EACH STATEMENT EXECUTE FUNCTION spanledger.reject_mutation();

REVOKE ALL ON spanledger.retention_cuts, spanledger.retention_row_hashes FROM PUBLIC;
-- Verification reads them with the ledger.
GRANT SELECT ON spanledger.retention_cuts, spanledger.retention_row_hashes
  TO spanledger_admin_reader;
