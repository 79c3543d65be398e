-- Custom migration (drizzle-kit generate --custom): partition upkeep for metrics_events.
-- PGlite has no pg_partman/pg_cron; gateway/db/repositories/partitions.ts calls these at start
-- and on a timer. Month boundaries are UTC. Kept compatible with PostgreSQL 15.

-- Creates metrics_events_YYYY_MM for the month containing p_month if it is missing and returns
-- true when it created it. Rows of that month already sitting in the DEFAULT partition are moved
-- into the new table before it is attached (attaching over them would fail otherwise).
CREATE OR REPLACE FUNCTION ensure_metrics_partition(p_month date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_start date := make_date(extract(year FROM p_month)::int, extract(month FROM p_month)::int, 1);
  v_end date := (v_start + interval '1 month')::date;
  v_lo timestamptz := v_start::timestamp AT TIME ZONE 'UTC';
  v_hi timestamptz := v_end::timestamp AT TIME ZONE 'UTC';
  v_name text := 'metrics_events_' || to_char(v_start, 'YYYY_MM');
BEGIN
  -- Serialise concurrent creators (several gateways on one team Postgres).
  PERFORM pg_advisory_xact_lock(hashtext('metrics_events_partitions'));
  IF EXISTS (
    SELECT 1 FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'metrics_events'::regclass AND c.relname = v_name
  ) THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE metrics_events)', v_name);
  EXECUTE format(
    'WITH moved AS (DELETE FROM metrics_events_default WHERE ts >= $1 AND ts < $2 RETURNING *) '
    'INSERT INTO %I SELECT * FROM moved', v_name) USING v_lo, v_hi;
  EXECUTE format('ALTER TABLE metrics_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
    v_name, v_lo, v_hi);
  RETURN true;
END
$$;
--> statement-breakpoint

-- Drops every month partition that ends at or before p_cutoff and deletes older rows from the
-- DEFAULT partition; returns the names of the dropped partitions.
CREATE OR REPLACE FUNCTION drop_metrics_partitions_before(p_cutoff timestamptz) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  v_name text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('metrics_events_partitions'));
  FOR v_name IN
    SELECT c.relname FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'metrics_events'::regclass
      AND c.relname ~ '^metrics_events_[0-9]{4}_[0-9]{2}$'
      AND (to_date(substr(c.relname, 16), 'YYYY_MM') + interval '1 month')::timestamp
          AT TIME ZONE 'UTC' <= p_cutoff
    ORDER BY c.relname
  LOOP
    EXECUTE format('DROP TABLE %I', v_name);
    RETURN NEXT v_name;
  END LOOP;
  DELETE FROM metrics_events_default WHERE ts < p_cutoff;
END
$$;
