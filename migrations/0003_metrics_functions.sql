-- Custom migration (drizzle-kit generate --custom): SQL helpers of the metrics pipeline.
-- Kept compatible with PostgreSQL 15 (team mode) and PGlite. Day and month boundaries are UTC.

-- The latency bucket of gateway/db/latency-buckets.ts (latencyBucketIndex): 0 for <= 0.01 ms,
-- 1..606 for (0.01 * 1.03^(i-1), 0.01 * 1.03^i] ms, 607 above ~602 s (and NaN). A one-SELECT
-- IMMUTABLE SQL function, so the planner inlines it into the rollup queries.
CREATE OR REPLACE FUNCTION metrics_latency_bucket(ms double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN NOT (ms > 0.01) THEN 0
    WHEN ms <= 0.01 * power(1.03::double precision, 606) THEN
      greatest(1, least(606, ceil(ln(ms / 0.01) / ln(1.03::double precision) - 1e-9)::integer))
    ELSE 607
  END
$$;
--> statement-breakpoint

-- The (bucket, count) entries of a stored histogram: 6-byte big-endian (int2 bucket, int4 count)
-- entries; a bucket may repeat (concatenation merges histograms), so sum by bucket when reading.
-- For ad-hoc SQL and tests; the gateway decodes histograms in TypeScript.
CREATE OR REPLACE FUNCTION metrics_histogram_entries(h bytea) RETURNS TABLE (bucket integer, count bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (get_byte(h, i) << 8) | get_byte(h, i + 1),
         (get_byte(h, i + 2)::bigint << 24) | (get_byte(h, i + 3) << 16) | (get_byte(h, i + 4) << 8) | get_byte(h, i + 5)
  FROM generate_series(0, length(h) - 6, 6) AS i
$$;
--> statement-breakpoint

-- The [lo, hi) range of a partition named by these helpers: metrics_events_YYYY_MM (a month) or
-- metrics_events_YYYY_MM_DD (a day); NULLs for any other name.
CREATE OR REPLACE FUNCTION metrics_partition_range(p_name text, OUT lo timestamptz, OUT hi timestamptz)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_name ~ '^metrics_events_[0-9]{4}_[0-9]{2}_[0-9]{2}$' THEN
    lo := to_date(substr(p_name, 16), 'YYYY_MM_DD')::timestamp AT TIME ZONE 'UTC';
    hi := (to_date(substr(p_name, 16), 'YYYY_MM_DD') + 1)::timestamp AT TIME ZONE 'UTC';
  ELSIF p_name ~ '^metrics_events_[0-9]{4}_[0-9]{2}$' THEN
    lo := to_date(substr(p_name, 16), 'YYYY_MM')::timestamp AT TIME ZONE 'UTC';
    hi := (to_date(substr(p_name, 16), 'YYYY_MM') + interval '1 month')::timestamp AT TIME ZONE 'UTC';
  END IF;
END
$$;
--> statement-breakpoint

-- Creates the partition of metrics_events holding p_day, one month ('monthly') or one day
-- ('daily') wide, unless it exists or an existing partition overlaps it (switching granularity
-- lets the older, wider partitions run out first). Rows of that range already sitting in the
-- DEFAULT partition are moved into it. Returns true when it created the partition.
CREATE OR REPLACE FUNCTION ensure_metrics_partition_at(p_day date, p_granularity text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  v_start date;
  v_end date;
  v_name text;
  v_lo timestamptz;
  v_hi timestamptz;
BEGIN
  IF p_granularity = 'monthly' THEN
    v_start := date_trunc('month', p_day::timestamp)::date;
    v_end := (v_start + interval '1 month')::date;
    v_name := 'metrics_events_' || to_char(v_start, 'YYYY_MM');
  ELSIF p_granularity = 'daily' THEN
    v_start := p_day;
    v_end := p_day + 1;
    v_name := 'metrics_events_' || to_char(v_start, 'YYYY_MM_DD');
  ELSE
    RAISE EXCEPTION 'unknown partition granularity %', p_granularity;
  END IF;
  v_lo := v_start::timestamp AT TIME ZONE 'UTC';
  v_hi := v_end::timestamp AT TIME ZONE 'UTC';
  -- Serialise concurrent creators (several gateways on one team Postgres).
  PERFORM pg_advisory_xact_lock(hashtext('metrics_events_partitions'));
  IF EXISTS (
    SELECT 1 FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL metrics_partition_range(c.relname) r
    WHERE i.inhparent = 'metrics_events'::regclass
      AND (c.relname = v_name OR (r.lo < v_hi AND r.hi > v_lo))
  ) THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE metrics_events)', v_name);
  -- The CHECK lets ATTACH skip its validation scan; it is dropped once attached.
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (ts >= %L AND ts < %L)', v_name, v_name || '_range', v_lo, v_hi);
  EXECUTE format(
    'WITH moved AS (DELETE FROM metrics_events_default WHERE ts >= $1 AND ts < $2 RETURNING *) '
    'INSERT INTO %I SELECT * FROM moved', v_name) USING v_lo, v_hi;
  EXECUTE format('ALTER TABLE metrics_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', v_name, v_lo, v_hi);
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', v_name, v_name || '_range');
  RETURN true;
END
$$;
--> statement-breakpoint

-- 0001's monthly entry point, now on top of ensure_metrics_partition_at.
CREATE OR REPLACE FUNCTION ensure_metrics_partition(p_month date) RETURNS boolean
LANGUAGE sql AS $$
  SELECT ensure_metrics_partition_at(p_month, 'monthly')
$$;
--> statement-breakpoint

-- Drops every partition (monthly or daily) that ends at or before p_cutoff and deletes older
-- rows from the DEFAULT partition; returns the names of the dropped partitions.
CREATE OR REPLACE FUNCTION drop_metrics_partitions_before(p_cutoff timestamptz) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  v_name text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('metrics_events_partitions'));
  FOR v_name IN
    SELECT c.relname FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL metrics_partition_range(c.relname) r
    WHERE i.inhparent = 'metrics_events'::regclass AND r.hi <= p_cutoff
    ORDER BY r.lo, c.relname
  LOOP
    EXECUTE format('DROP TABLE %I', v_name);
    RETURN NEXT v_name;
  END LOOP;
  DELETE FROM metrics_events_default WHERE ts < p_cutoff;
END
$$;
--> statement-breakpoint

-- The rollup rewrites recent rows every minute: leave room on each page so those updates stay
-- HOT (no index covers an updated column), which keeps heap and indexes from bloating.
ALTER TABLE metrics_hourly SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE metrics_daily SET (fillfactor = 70);
