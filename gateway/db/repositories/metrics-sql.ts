import { sql, type SQL } from 'drizzle-orm';
import type { MetricsFilter, MetricsGroupBy } from './metrics-queries.js';

/** SQL fragments shared by the metrics queries (metrics-queries.ts). */
export const EPOCH = sql.raw(`timestamptz '1970-01-01 00:00:00+00'`);
export const WATERMARK = sql.raw(`(select coalesce((select last_id from metrics_rollup_state where name = 'events'), 0))`);

export interface GroupSql {
  /** Group expression over a metrics table's columns. */
  key: SQL;
  /** Only rows that have the grouped attribute. */
  present: SQL;
  /** Display name over the union's `gkey`, and the join providing it. */
  name: SQL;
  join: SQL;
}

export function groupSql(groupBy: MetricsGroupBy): GroupSql {
  switch (groupBy) {
    case 'tool':
      return { key: sql`tool_name`, present: sql`tool_name is not null`, name: sql`u.gkey`, join: sql`` };
    case 'server':
      return {
        key: sql`server_id`,
        present: sql`server_id is not null`,
        name: sql`coalesce(s.name, u.gkey::text)`,
        join: sql`left join mcp_servers s on s.id = u.gkey`,
      };
    case 'preset':
      return {
        key: sql`preset_id`,
        present: sql`preset_id is not null`,
        name: sql`coalesce(p.slug, u.gkey::text)`,
        join: sql`left join presets p on p.id = u.gkey`,
      };
    case 'none':
      return { key: sql`''::text`, present: sql`true`, name: sql`u.gkey`, join: sql`` };
  }
}

export function filterSql(f: MetricsFilter): SQL {
  const parts: SQL[] = [];
  if (f.presetId !== undefined) parts.push(sql`preset_id = ${f.presetId}::uuid`);
  if (f.serverId !== undefined) parts.push(sql`server_id = ${f.serverId}::uuid`);
  if (f.toolName !== undefined) parts.push(sql`tool_name = ${f.toolName}`);
  if (f.eventType !== undefined) parts.push(sql`event_type = ${f.eventType}`);
  return parts.length === 0 ? sql`true` : sql.join(parts, sql` and `);
}

export const iso = (d: Date) => sql`${d.toISOString()}::timestamptz`;
