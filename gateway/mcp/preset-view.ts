import type { PresetWithServers } from '../db/records.js';
import type { UpstreamConnection } from '../upstream/connection.js';
import type { RawItem } from '../upstream/catalog.js';
import { exposedName } from './naming.js';

export interface ToolRoute {
  connection: UpstreamConnection;
  upstreamName: string;
  timeoutMs: number;
}

export interface PromptRoute {
  connection: UpstreamConnection;
  upstreamName: string;
}

/**
 * What one preset shows its clients, built once per change and cached: the lists are
 * pre-serialised and calls route through tables keyed by exposed name (names are never parsed).
 */
export interface PresetView {
  preset: PresetWithServers;
  tools: RawItem[];
  prompts: RawItem[];
  resources: RawItem[];
  resourceTemplates: RawItem[];
  toolRoutes: Map<string, ToolRoute>;
  promptRoutes: Map<string, PromptRoute>;
  /** Exact resource URI → server. */
  resourceRoutes: Map<string, UpstreamConnection>;
  /** Template literal prefix (text before the first "{") → server, longest prefix first. */
  templateRoutes: Array<{ prefix: string; connection: UpstreamConnection }>;
  /** Ids of the servers this view depends on (for invalidation). */
  serverIds: Set<string>;
  /** Servers whose tools are missing because they are not ready, with why. */
  unavailable: Map<string, string>;
  /** Exposed tool names of servers that are down → server name, to answer calls with a clear error. */
  unavailableTools: Map<string, string>;
  warnings: string[];
  instructions: string | null;
  /** Rough size for the cache's byte bound. */
  approxBytes: number;
}

export interface ViewOptions {
  defaultTimeoutMs: number;
  /** Upstream tools whose JSON definition exceeds this are left out with a warning. */
  maxToolSchemaBytes?: number;
  log?: (line: string) => void;
}

export function buildPresetView(
  preset: PresetWithServers,
  connectionFor: (serverId: string) => UpstreamConnection | undefined,
  options: ViewOptions,
): PresetView {
  const view: PresetView = {
    preset,
    tools: [],
    prompts: [],
    resources: [],
    resourceTemplates: [],
    toolRoutes: new Map(),
    promptRoutes: new Map(),
    resourceRoutes: new Map(),
    templateRoutes: [],
    serverIds: new Set(),
    unavailable: new Map(),
    unavailableTools: new Map(),
    warnings: [],
    instructions: null,
    approxBytes: 0,
  };
  const owners = new Map<string, string>(); // exposed name → server name, to report collisions
  const instructions: string[] = [];

  for (const binding of preset.servers) {
    view.serverIds.add(binding.serverId);
    if (!binding.enabled) continue;
    const connection = connectionFor(binding.serverId);
    if (!connection || !connection.isReady) {
      const status = connection?.status();
      view.unavailable.set(binding.serverName, status?.lastError ?? status?.state ?? 'not running');
      for (const toolName of connection?.lastToolNames ?? []) {
        const override = binding.toolOverrides[toolName];
        view.unavailableTools.set(exposedName(binding.prefix ?? binding.serverName, override?.name ?? toolName), binding.serverName);
      }
      continue;
    }
    const prefix = binding.prefix ?? binding.serverName;
    const allowed = binding.allowedTools.length > 0 ? new Set(binding.allowedTools) : null;
    const serverTimeout = connection.server.timeoutMs ?? options.defaultTimeoutMs;
    const claim = (kind: string, name: string): boolean => {
      const key = `${kind}:${name}`;
      const owner = owners.get(key);
      if (owner !== undefined) {
        view.warnings.push(`${kind} "${name}" of server "${binding.serverName}" collides with one of "${owner}"; left out`);
        return false;
      }
      owners.set(key, binding.serverName);
      return true;
    };

    for (const tool of connection.catalog.tools) {
      const upstreamName = String(tool.name);
      if (allowed && !allowed.has(upstreamName)) continue;
      if (options.maxToolSchemaBytes && JSON.stringify(tool).length > options.maxToolSchemaBytes) {
        view.warnings.push(`tool "${upstreamName}" of "${binding.serverName}" exceeds ${options.maxToolSchemaBytes} bytes; left out`);
        continue;
      }
      const override = binding.toolOverrides[upstreamName];
      const name = exposedName(prefix, override?.name ?? upstreamName);
      if (!claim('tool', name)) continue;
      const exposed: RawItem = { ...tool, name };
      if (override?.description !== undefined) exposed.description = override.description;
      view.tools.push(exposed);
      view.toolRoutes.set(name, {
        connection,
        upstreamName,
        timeoutMs: binding.toolTimeouts[upstreamName] ?? serverTimeout,
      });
    }
    for (const prompt of connection.catalog.prompts) {
      const upstreamName = String(prompt.name);
      const name = exposedName(prefix, upstreamName);
      if (!claim('prompt', name)) continue;
      view.prompts.push({ ...prompt, name });
      view.promptRoutes.set(name, { connection, upstreamName });
    }
    for (const resource of connection.catalog.resources) {
      const uri = String(resource.uri);
      if (view.resourceRoutes.has(uri)) continue; // same URI from two servers: the first one serves it
      view.resourceRoutes.set(uri, connection);
      view.resources.push(typeof resource.name === 'string' ? { ...resource, name: exposedName(prefix, resource.name) } : resource);
    }
    for (const template of connection.catalog.resourceTemplates) {
      const uriTemplate = String(template.uriTemplate);
      view.templateRoutes.push({ prefix: uriTemplate.split('{')[0] ?? '', connection });
      view.resourceTemplates.push(
        typeof template.name === 'string' ? { ...template, name: exposedName(prefix, template.name) } : template,
      );
    }
    if (connection.catalog.instructions) instructions.push(`## ${binding.serverName}\n${connection.catalog.instructions}`);
  }
  view.templateRoutes.sort((a, b) => b.prefix.length - a.prefix.length);
  view.instructions = instructions.length > 0 ? instructions.join('\n\n') : null;
  view.approxBytes =
    2 * JSON.stringify([view.tools, view.prompts, view.resources, view.resourceTemplates]).length + 1024;
  return view;
}

/** The server that serves a resource URI in this view, by exact URI then by template prefix. */
export function routeResource(view: PresetView, uri: string): UpstreamConnection | undefined {
  const exact = view.resourceRoutes.get(uri);
  if (exact) return exact;
  return view.templateRoutes.find((route) => uri.startsWith(route.prefix))?.connection;
}
