import { GatewayError } from '../../contract/index.js';
import type { PresetFields, ServerRecord } from '../../db/records.js';
import { exposedName } from '../../mcp/naming.js';
import type { UpstreamPool } from '../../upstream/pool.js';

/**
 * Refuses a preset whose exposed tool or prompt names would collide (possible only when a
 * prefix is empty or two prefixes are equal), naming both servers. Checked against the
 * catalogs of running servers; a server that is down is checked when its view is built.
 */
export function assertNoNameCollisions(fields: PresetFields, servers: ServerRecord[], pool: UpstreamPool): void {
  const byName = new Map(servers.map((server) => [server.name, server]));
  const owners = new Map<string, string>();
  for (const binding of fields.servers) {
    if (!binding.enabled) continue;
    const server = byName.get(binding.serverName);
    const catalog = server ? pool.get(server.id)?.catalog : undefined;
    if (!catalog) continue;
    const prefix = binding.prefix ?? binding.serverName;
    const allowed = binding.allowedTools.length > 0 ? new Set(binding.allowedTools) : null;
    const names = [
      ...catalog.tools
        .filter((tool) => !allowed || allowed.has(String(tool.name)))
        .map((tool) => `tool ${exposedName(prefix, binding.toolOverrides[String(tool.name)]?.name ?? String(tool.name))}`),
      ...catalog.prompts.map((prompt) => `prompt ${exposedName(prefix, String(prompt.name))}`),
    ];
    for (const name of names) {
      const owner = owners.get(name);
      if (owner !== undefined && owner !== binding.serverName) {
        throw new GatewayError(
          'conflict',
          `${name.replace(' ', ' "')}" would be exposed by both "${owner}" and "${binding.serverName}"; give one of them a prefix`,
        );
      }
      owners.set(name, binding.serverName);
    }
  }
}
