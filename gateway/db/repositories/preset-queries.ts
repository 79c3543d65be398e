import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../executor.js';
import type { AclEntry, PresetBinding, PresetWithServers } from '../records.js';
import { mcpServers, presetAcl, presets, presetServers } from '../schema.js';

/**
 * Presets with their bindings and ACL in ONE statement: the bindings and ACL are json_agg
 * subqueries correlated on the preset id (each an index lookup), never 1+N round trips.
 */
const bindingsAgg = sql`(
  select json_agg(json_build_object(
    'serverId', ${mcpServers.id},
    'serverName', ${mcpServers.name},
    'enabled', ${presetServers.enabled},
    'allowedTools', ${presetServers.allowedTools},
    'toolTimeouts', ${presetServers.toolTimeouts},
    'toolOverrides', ${presetServers.toolOverrides},
    'prefix', ${presetServers.prefix}
  ) order by ${presetServers.position}, ${mcpServers.name})
  from ${presetServers} join ${mcpServers} on ${mcpServers.id} = ${presetServers.serverId}
  where ${presetServers.presetId} = ${presets.id}
)`;

const aclAgg = sql`(
  select json_agg(json_build_object('type', ${presetAcl.principalType}, 'value', ${presetAcl.principalValue})
    order by ${presetAcl.principalType}, ${presetAcl.principalValue})
  from ${presetAcl}
  where ${presetAcl.presetId} = ${presets.id}
)`;

// Nested on purpose: in a single-table select drizzle strips the table name from columns that
// are direct chunks of a selected sql`` (so the correlation would bind to the inner table).
const bindingsJson = sql<PresetBinding[]>`coalesce(${bindingsAgg}, '[]'::json)`;
const aclJson = sql<AclEntry[]>`coalesce(${aclAgg}, '[]'::json)`;

export async function selectPresetsWithServers(db: Db, where: SQL | undefined): Promise<PresetWithServers[]> {
  const rows = await db
    .select({ ...getTableColumns(presets), servers: bindingsJson, acl: aclJson })
    .from(presets)
    .where(where)
    .orderBy(presets.slug);
  return rows.map((r) => ({ ...r, servers: parseJson(r.servers), acl: parseJson(r.acl) }));
}

/** Drivers parse json results already; a driver configured to keep text would hand a string. */
function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}
