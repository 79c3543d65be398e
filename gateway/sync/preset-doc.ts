import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { PresetSpec, ServerSpec } from '../contract/declarative.js';
import { canonicalJson } from '../db/apply-config.js';
import type { PresetWithServers, ServerRecord } from '../db/records.js';

/**
 * What the team database holds for one shared preset: the preset as a declarative spec plus the
 * definitions of the servers it binds. Upstream secrets (env values, headers) are left out unless
 * the user shared them explicitly; their names are kept so other machines know what to fill in.
 */
export interface SharedPresetDoc {
  format: 1;
  preset: PresetSpec;
  servers: Record<string, SharedServer>;
}

export interface SharedServer {
  transport: ServerRecord['transport'];
  command?: string;
  args?: string[];
  cwd?: string;
  url?: string;
  enabled: boolean;
  timeoutMs?: number;
  /** Present only when secrets are shared. */
  env?: Record<string, string>;
  headers?: Record<string, string>;
  /** Names of the env variables / headers whose values stayed on the publishing machine. */
  withheldEnv?: string[];
  withheldHeaders?: string[];
}

export function buildSharedDoc(preset: PresetWithServers, servers: ReadonlyMap<string, ServerRecord>, includeSecrets: boolean): SharedPresetDoc {
  const bindings: NonNullable<PresetSpec['servers']> = {};
  const docServers: Record<string, SharedServer> = {};
  for (const b of preset.servers) {
    bindings[b.serverName] = {
      enabled: b.enabled,
      tools: b.allowedTools,
      toolTimeouts: b.toolTimeouts,
      toolOverrides: b.toolOverrides,
      ...(b.prefix === null ? {} : { prefix: b.prefix }),
    };
    const server = servers.get(b.serverName);
    if (server) docServers[b.serverName] = sharedServer(server, includeSecrets);
  }
  return {
    format: 1,
    preset: {
      name: preset.name,
      description: preset.description,
      visibility: preset.visibility,
      status: preset.status,
      servers: bindings,
      acl: preset.acl,
    },
    servers: docServers,
  };
}

function sharedServer(s: ServerRecord, includeSecrets: boolean): SharedServer {
  const envKeys = Object.keys(s.env).sort();
  const headerKeys = Object.keys(s.headers).sort();
  return {
    transport: s.transport,
    ...(s.command === null ? {} : { command: s.command }),
    ...(s.args.length ? { args: s.args } : {}),
    ...(s.cwd === null ? {} : { cwd: s.cwd }),
    ...(s.url === null ? {} : { url: s.url }),
    enabled: s.enabled,
    ...(s.timeoutMs === null ? {} : { timeoutMs: s.timeoutMs }),
    ...(includeSecrets
      ? { ...(envKeys.length ? { env: s.env } : {}), ...(headerKeys.length ? { headers: s.headers } : {}) }
      : { ...(envKeys.length ? { withheldEnv: envKeys } : {}), ...(headerKeys.length ? { withheldHeaders: headerKeys } : {}) }),
  };
}

/** A stable hash of a document (key order does not matter): equal hashes mean equal content. */
export function docHash(doc: unknown): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('base64url');
}

/**
 * The declarative config that makes this machine's copy match a team document. Secret values
 * this machine already has are kept (they never leave it, and a shared value does not override
 * a local one); shared values fill only what is missing here.
 */
export function configFromDoc(
  slug: string,
  doc: SharedPresetDoc,
  local: ReadonlyMap<string, ServerRecord>,
): { servers: Record<string, ServerSpec>; presets: Record<string, PresetSpec> } {
  const servers: Record<string, ServerSpec> = {};
  for (const [name, shared] of Object.entries(doc.servers)) {
    const mine = local.get(name);
    const spec: ServerSpec = {
      transport: shared.transport,
      ...(shared.command === undefined ? {} : { command: shared.command }),
      args: shared.args ?? [],
      ...localCwd(shared, mine),
      ...(shared.url === undefined ? {} : { url: shared.url }),
      enabled: shared.enabled,
      ...(shared.timeoutMs === undefined ? {} : { timeoutMs: shared.timeoutMs }),
      env: { ...(shared.env ?? {}), ...(mine?.env ?? {}) },
      headers: { ...(shared.headers ?? {}), ...(mine?.headers ?? {}) },
    };
    servers[name] = spec;
  }
  return { servers, presets: { [slug]: doc.preset } };
}

/**
 * A working directory is a path on the publisher's machine: a server this machine already has
 * keeps its own, and a new one takes the published path only if it exists here.
 */
function localCwd(shared: SharedServer, mine: ServerRecord | undefined): { cwd?: string } {
  if (mine) return mine.cwd === null ? {} : { cwd: mine.cwd };
  return shared.cwd !== undefined && existsSync(shared.cwd) ? { cwd: shared.cwd } : {};
}

/** "server: env NAME" for every secret the document names that this machine has no value for. */
export function missingSecrets(doc: SharedPresetDoc, local: ReadonlyMap<string, ServerRecord>): string[] {
  const missing: string[] = [];
  for (const [name, shared] of Object.entries(doc.servers)) {
    const mine = local.get(name);
    for (const key of shared.withheldEnv ?? []) if (!mine || !(key in mine.env)) missing.push(`${name}: env ${key}`);
    for (const key of shared.withheldHeaders ?? []) if (!mine || !(key in mine.headers)) missing.push(`${name}: header ${key}`);
  }
  return missing;
}

/** Checks the shape of a document read from the team database (another version may have written it). */
export function asSharedDoc(value: unknown): SharedPresetDoc | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Partial<SharedPresetDoc>;
  if (v.format !== 1 || !v.preset || typeof v.preset !== 'object' || !v.servers || typeof v.servers !== 'object') return null;
  return v as SharedPresetDoc;
}
