import type { DeclarativeConfig } from '../contract/declarative.js';
import { joinTransaction, type Db } from './executor.js';
import type { PresetFields, ServerFields, ServerRecord } from './records.js';
import { normalizeAcl, presetFieldsFromSpec, presetFieldsOf } from './repositories/preset-fields.js';
import { createPresetsRepository } from './repositories/presets.js';
import { createServersRepository, serverFieldsFromSpec } from './repositories/servers.js';

export interface ApplyResult {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

/**
 * Upserts the file's servers and presets for one owner, inside the caller's transaction (all or
 * nothing). Re-applying the same file reports everything unchanged and writes nothing. With
 * `prune`, the owner's servers and presets missing from the file are deleted.
 */
export async function applyConfigInTransaction(
  tx: Db,
  secretKey: Buffer,
  ownerId: string,
  config: DeclarativeConfig,
  prune: boolean,
): Promise<ApplyResult> {
  const runner = joinTransaction(tx);
  const servers = createServersRepository(runner, secretKey);
  const presets = createPresetsRepository(runner);
  const result: ApplyResult = { created: [], updated: [], deleted: [], unchanged: [] };

  // Presets first when pruning, so a pruned server is not silently unbound from a pruned preset.
  const presetsBefore = new Map((await presets.findAllForOwnerWithServers(ownerId)).map((p) => [p.slug, p]));
  if (prune) {
    for (const slug of presetsBefore.keys()) {
      if (slug in config.presets) continue;
      await presets.delete(ownerId, slug);
      result.deleted.push(`preset:${slug}`);
    }
  }

  const existingServers = new Map((await servers.list(ownerId)).map((s) => [s.name, s]));
  let prunedServers = false;
  if (prune) {
    for (const name of existingServers.keys()) {
      if (name in config.servers) continue;
      await servers.delete(ownerId, name);
      result.deleted.push(`server:${name}`);
      prunedServers = true;
    }
  }
  for (const [name, spec] of Object.entries(config.servers)) {
    const fields = serverFieldsFromSpec(spec);
    const current = existingServers.get(name);
    if (!current) {
      await servers.create(ownerId, name, fields);
      result.created.push(`server:${name}`);
    } else if (sameJson(serverFieldsOf(current), fields)) {
      result.unchanged.push(`server:${name}`);
    } else {
      await servers.update(ownerId, name, fields);
      result.updated.push(`server:${name}`);
    }
  }

  // Deleting a server cascades to its bindings: merge the file into the presets as they are now,
  // but compare with how they were, so a preset that lost a binding is reported (and versioned)
  // as updated.
  const presetsNow = prunedServers
    ? new Map((await presets.findAllForOwnerWithServers(ownerId)).map((p) => [p.slug, p]))
    : presetsBefore;
  const toCreate: Array<{ slug: string; fields: PresetFields }> = [];
  for (const [slug, spec] of Object.entries(config.presets)) {
    const before = presetsBefore.get(slug);
    const now = presetsNow.get(slug);
    const fields = presetFieldsFromSpec(spec, now ? presetFieldsOf(now) : undefined, slug);
    if (!before || !now) {
      toCreate.push({ slug, fields });
      result.created.push(`preset:${slug}`);
    } else if (samePreset(presetFieldsOf(before), fields)) {
      result.unchanged.push(`preset:${slug}`);
    } else {
      await presets.update(ownerId, slug, fields);
      result.updated.push(`preset:${slug}`);
    }
  }
  // New presets in a few multi-row statements: a file of 1,000 presets is one apply, not 5,000 round trips.
  await presets.createMany(ownerId, toCreate);
  return result;
}

function serverFieldsOf(s: ServerRecord): ServerFields {
  const { transport, command, args, env, cwd, url, headers, enabled, timeoutMs } = s;
  return { transport, command, args, env, cwd, url, headers, enabled, timeoutMs };
}

function samePreset(a: PresetFields, b: PresetFields): boolean {
  return sameJson({ ...a, acl: normalizeAcl(a.acl) }, { ...b, acl: normalizeAcl(b.acl) });
}

/** Deep equality that ignores object key order (jsonb returns keys in its own order). */
function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted (and undefined members left out): equal content, equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}
