import pg from 'pg';
import { LatencyHistogram } from '../db/latency-buckets.js';
import { migrateLocked } from '../db/postgres.js';
import type { LatencyRow } from '../db/repositories/metrics.js';
import type { LocalHourlyRow } from '../db/repositories/sync.js';

/** One shared preset as the team database holds it (its latest version; deleted: a tombstone). */
export interface TeamPresetRow {
  slug: string;
  version: number;
  doc: Record<string, unknown> | null;
  deleted: boolean;
  updatedBy: string;
  updatedAt: Date;
  seq: number;
}

export type PublishResult = { ok: true; version: number } | { ok: false; current: TeamPresetRow };

/** The same row as the local latency report (key: member, preset slug or tool name). */
export type TeamLatencyRow = LatencyRow;

export interface TeamStoreOptions {
  url: string;
  /** A connection not up within this long fails the attempt (the desktop is offline). */
  connectTimeoutMs: number;
  /** No statement may hang a sync cycle longer than this. */
  queryTimeoutMs: number;
}

/** Serialises publications so `seq` order is commit order: a puller never skips a change. */
const PUBLISH_LOCK_KEY = 0x6d637073; // 'mcps'
const PRESET_COLUMNS = 'slug, version, doc, deleted, updated_by, updated_at, seq';
const REVISION_COLUMNS = 'slug, version, doc, deleted, updated_by, updated_at';

/** A version kept in team_preset_revisions. */
export type TeamRevision = Omit<TeamPresetRow, 'seq'>;

/**
 * The team half of desktop sync, on the team's PostgreSQL through node-postgres: the
 * `team_*` tables of migration 0005. Plain SQL on purpose: every statement here is one round
 * trip a sync cycle pays over a possibly slow network.
 */
export class TeamStore {
  private readonly pool: pg.Pool;

  constructor(opts: TeamStoreOptions) {
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: 2,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: opts.connectTimeoutMs,
      query_timeout: opts.queryTimeoutMs,
      keepAlive: true,
      application_name: 'mcp-gateway-sync',
    });
    // A dropped idle connection is not an error of ours: the next cycle reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Runs the gateway's migrations on the team database (idempotent; serialised by an advisory lock). */
  async ensureSchema(migrationsFolder: string): Promise<void> {
    await migrateLocked(this.pool, migrationsFolder);
  }

  /**
   * Publishes a new version of `slug` (doc null: a deletion) if the team's version is still
   * `baseVersion`; otherwise answers the team's current row and changes nothing.
   */
  async publish(slug: string, baseVersion: number | null, doc: Record<string, unknown> | null, member: string): Promise<PublishResult> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock($1)', [PUBLISH_LOCK_KEY]);
      const { rows } = await client.query(`select ${PRESET_COLUMNS} from team_presets where slug = $1 for update`, [slug]);
      const current = rows[0] ? toPresetRow(rows[0] as Record<string, unknown>) : null;
      const accepted =
        current === null ||
        current.version === baseVersion ||
        // A first publication may reuse the slug of a withdrawn preset.
        (baseVersion === null && current.deleted);
      if (!accepted) {
        await client.query('rollback');
        return { ok: false, current };
      }
      if (doc === null && (current === null || current.deleted)) {
        await client.query('rollback');
        return { ok: true, version: current?.version ?? 0 };
      }
      const version = (current?.version ?? 0) + 1;
      const deleted = doc === null;
      await client.query(
        `insert into team_presets (slug, version, doc, deleted, updated_by, updated_at)
         values ($1, $2, $3, $4, $5, now())
         on conflict (slug) do update set version = excluded.version, doc = excluded.doc, deleted = excluded.deleted,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at, seq = nextval('team_presets_seq_seq')`,
        [slug, version, doc === null ? null : JSON.stringify(doc), deleted, member],
      );
      await client.query(
        `insert into team_preset_revisions (slug, version, doc, deleted, updated_by, updated_at) values ($1, $2, $3, $4, $5, now())
         on conflict do nothing`,
        [slug, version, doc === null ? null : JSON.stringify(doc), deleted, member],
      );
      await client.query('commit');
      return { ok: true, version };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Changes after `cursor` (a seq), oldest first. */
  async changesSince(cursor: number, limit: number): Promise<TeamPresetRow[]> {
    const { rows } = await this.pool.query(`select ${PRESET_COLUMNS} from team_presets where seq > $1 order by seq limit $2`, [cursor, limit]);
    return rows.map((row) => toPresetRow(row as Record<string, unknown>));
  }

  /** Published versions of a slug, newest first. */
  async revisions(slug: string, limit: number): Promise<TeamRevision[]> {
    const { rows } = await this.pool.query(`select ${REVISION_COLUMNS} from team_preset_revisions where slug = $1 order by version desc limit $2`, [slug, limit]);
    return rows.map((raw) => toRevision(raw as Record<string, unknown>));
  }

  /** One published version of a slug (null: none such). */
  async revision(slug: string, version: number): Promise<TeamRevision | null> {
    const { rows } = await this.pool.query(`select ${REVISION_COLUMNS} from team_preset_revisions where slug = $1 and version = $2`, [slug, version]);
    return rows[0] ? toRevision(rows[0] as Record<string, unknown>) : null;
  }

  /** The current rows of several slugs in one round trip. */
  async currentMany(slugs: string[]): Promise<TeamPresetRow[]> {
    if (slugs.length === 0) return [];
    const { rows } = await this.pool.query(`select ${PRESET_COLUMNS} from team_presets where slug = any($1::text[])`, [slugs]);
    return rows.map((row) => toPresetRow(row as Record<string, unknown>));
  }

  /** Upserts one member's hourly rollups in one statement (a re-pushed hour replaces the earlier copy). */
  async pushHourly(member: string, rows: LocalHourlyRow[]): Promise<void> {
    if (rows.length === 0) return;
    const col = <T>(pick: (row: LocalHourlyRow) => T): T[] => rows.map(pick);
    await this.pool.query(
      `insert into team_metrics_hourly (member, preset_slug, server_name, tool_name, event_type, hour, calls, ok, errors,
         timeouts, rejected, latency_sum, latency_min, latency_max, histogram, pushed_at)
       select $1, u.ps, u.sn, u.tn, u.et, u.h, u.c, u.o, u.e, u.t, u.r, u.ls, u.lmin, u.lmax, decode(u.hist, 'hex'), now()
       from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::bigint[], $8::bigint[], $9::bigint[],
                   $10::bigint[], $11::bigint[], $12::float8[], $13::float8[], $14::float8[], $15::text[])
         as u(ps, sn, tn, et, h, c, o, e, t, r, ls, lmin, lmax, hist)
       on conflict on constraint team_metrics_hourly_pk do update set calls = excluded.calls, ok = excluded.ok,
         errors = excluded.errors, timeouts = excluded.timeouts, rejected = excluded.rejected, latency_sum = excluded.latency_sum,
         latency_min = excluded.latency_min, latency_max = excluded.latency_max, histogram = excluded.histogram, pushed_at = now()`,
      [
        member,
        col((r) => r.presetSlug),
        col((r) => r.serverName),
        col((r) => r.toolName),
        col((r) => r.eventType),
        col((r) => r.hour.toISOString()),
        col((r) => r.calls),
        col((r) => r.ok),
        col((r) => r.errors),
        col((r) => r.timeouts),
        col((r) => r.rejected),
        col((r) => r.latencySum),
        col((r) => r.latencyMin),
        col((r) => r.latencyMax),
        col((r) => r.histogramHex),
      ],
    );
  }

  async touchMember(member: string, version: string): Promise<void> {
    await this.pool.query(
      `insert into team_members (member, version, last_seen_at) values ($1, $2, now())
       on conflict (member) do update set version = excluded.version, last_seen_at = excluded.last_seen_at`,
      [member, version],
    );
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  /** The pool, for the team latency queries shared with team server mode (team-latency.ts). */
  get queryable(): Queryable {
    return this.pool;
  }
}

/** What the team latency queries need: node-postgres's pool or client. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** tools/call latency of the whole team over [from, to), merged from every member's hourly histograms. */
export async function teamLatency(db: Queryable, groupBy: 'member' | 'preset' | 'tool', from: Date, to: Date): Promise<TeamLatencyRow[]> {
  // tool_name is the name clients call (server prefix included), as in the local reports.
  const key = groupBy === 'member' ? 'member' : groupBy === 'preset' ? 'preset_slug' : 'tool_name';
  const { rows } = await db.query(
    `select ${key} as key, sum(calls) as calls, sum(calls - ok) as errors, sum(timeouts) as timeouts,
            min(latency_min) as lmin, max(latency_max) as lmax, encode(string_agg(histogram, ''::bytea), 'hex') as hist
     from team_metrics_hourly
     where event_type = 'tools/call' and hour >= $1 and hour < $2
     group by 1 order by 2 desc, 1 limit 500`,
    [from.toISOString(), to.toISOString()],
  );
  return rows.map((raw) => {
    const r = raw as Record<string, unknown>;
    const h = new LatencyHistogram();
    h.addHex(r.hist as string | null);
    h.addExtremes(r.lmin === null ? null : Number(r.lmin), r.lmax === null ? null : Number(r.lmax));
    return {
      key: String(r.key),
      calls: Number(r.calls),
      errors: Number(r.errors),
      timeouts: Number(r.timeouts),
      p50: h.quantile(0.5),
      p95: h.quantile(0.95),
      p99: h.quantile(0.99),
    };
  });
}

export async function teamMembers(db: Queryable): Promise<Array<{ member: string; lastSeenAt: string; version: string | null }>> {
  const { rows } = await db.query('select member, version, last_seen_at from team_members order by last_seen_at desc limit 500');
  return rows.map((raw) => {
    const r = raw as Record<string, unknown>;
    return { member: String(r.member), version: r.version === null ? null : String(r.version), lastSeenAt: new Date(r.last_seen_at as string).toISOString() };
  });
}

function toRevision(r: Record<string, unknown>): TeamRevision {
  const { seq: _seq, ...row } = toPresetRow({ ...r, seq: 0 });
  return row;
}

function toPresetRow(r: Record<string, unknown>): TeamPresetRow {
  return {
    slug: String(r.slug),
    version: Number(r.version),
    doc: (r.doc as Record<string, unknown> | null) ?? null,
    deleted: Boolean(r.deleted),
    updatedBy: String(r.updated_by),
    updatedAt: new Date(r.updated_at as string),
    seq: Number(r.seq),
  };
}
