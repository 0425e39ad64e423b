-- Up Migration
-- Partition maintenance (issue 15): the collector keeps monthly partitions ahead on a schedule
-- and warns when they run short. The writer has no privilege on the default partitions, so
-- whether they hold rows is answered by the owner through this function: a yes/no per table,
-- never the rows.

-- For each partitioned ledger table: how many consecutive months after the current one have a
-- partition (0 to 24), and whether its default partition holds any row (a month that landed
-- there can never get its own partition).
CREATE FUNCTION spanledger.partition_status()
RETURNS TABLE (table_name text, months_ahead integer, default_has_rows boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  base       date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
  month_from date;
  parent     text;
  ahead      integer;
  has_rows   boolean;
BEGIN
  FOREACH parent IN ARRAY ARRAY['audit_log', 'llm_usage'] LOOP
    ahead := 0;
    FOR i IN 1..24 LOOP
      month_from := (base + make_interval(months => i))::date;
      EXIT WHEN to_regclass(format('spanledger.%I',
        format('%s_y%sm%s', parent, to_char(month_from, 'YYYY'), to_char(month_from, 'MM')))) IS NULL;
      ahead := i;
    END LOOP;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM spanledger.%I)', parent || '_default') INTO has_rows;
    table_name := parent;
    months_ahead := ahead;
    default_has_rows := has_rows;
    RETURN NEXT;
  END LOOP;
END
$$;

REVOKE ALL ON FUNCTION spanledger.partition_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION spanledger.partition_status() TO spanledger_writer, spanledger_admin_reader;
