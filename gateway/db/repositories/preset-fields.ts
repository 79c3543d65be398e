import type { PresetServerBinding, PresetSpec } from '../../contract/declarative.js';
import type { AclEntry, PresetBinding, PresetFields } from '../records.js';

/** Presets are reachable without a token unless the user says otherwise: the gateway binds 127.0.0.1. */
export const DEFAULT_PRESET_VISIBILITY = 'public' as const;

/**
 * A preset as users write it → the stored fields. Top-level fields the spec omits keep their
 * `existing` value (or the default for a new preset), so a partial update or a config file
 * without e.g. `description` does not wipe what the UI set. `servers`, when given, is the
 * complete list of bindings, in file order.
 */
export function presetFieldsFromSpec(spec: PresetSpec, existing?: PresetFields, slug?: string): PresetFields {
  return {
    name: spec.name ?? existing?.name ?? slug ?? '',
    description: spec.description ?? existing?.description ?? '',
    visibility: spec.visibility ?? existing?.visibility ?? DEFAULT_PRESET_VISIBILITY,
    status: spec.status ?? existing?.status ?? 'active',
    servers:
      spec.servers !== undefined
        ? Object.entries(spec.servers).map(([serverName, b]) => bindingFromSpec(serverName, b))
        : (existing?.servers ?? []),
    acl: normalizeAcl(spec.acl ?? existing?.acl ?? []),
  };
}

function bindingFromSpec(serverName: string, b: PresetServerBinding): Omit<PresetBinding, 'serverId'> {
  if (typeof b === 'boolean') {
    return { serverName, enabled: b, allowedTools: [], toolTimeouts: {}, toolOverrides: {}, prefix: null };
  }
  return {
    serverName,
    enabled: b.enabled ?? true,
    allowedTools: b.tools ?? [],
    toolTimeouts: b.toolTimeouts ?? {},
    toolOverrides: b.toolOverrides ?? {},
    prefix: b.prefix ?? null,
  };
}

/** Deduplicated and sorted the way the database returns it, so stored and new compare equal. */
export function normalizeAcl(acl: AclEntry[]): AclEntry[] {
  const seen = new Map<string, AclEntry>();
  for (const e of acl) seen.set(`${e.type}\u0000${e.value}`, { type: e.type, value: e.value });
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
}

/** PresetFields of a stored preset (drops the server ids). */
export function presetFieldsOf(p: PresetFields & { servers: PresetBinding[] }): PresetFields {
  return {
    name: p.name,
    description: p.description,
    visibility: p.visibility,
    status: p.status,
    servers: p.servers.map((b) => ({
      serverName: b.serverName,
      enabled: b.enabled,
      allowedTools: b.allowedTools,
      toolTimeouts: b.toolTimeouts,
      toolOverrides: b.toolOverrides,
      prefix: b.prefix,
    })),
    acl: p.acl,
  };
}
