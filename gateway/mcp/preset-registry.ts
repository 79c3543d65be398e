import { EventEmitter } from 'node:events';
import type { PresetWithServers } from '../db/records.js';
import type { UpstreamPool } from '../upstream/pool.js';
import type { CatalogKind } from '../upstream/catalog.js';
import { buildPresetView, type PresetView, type ViewOptions } from './preset-view.js';

export interface PresetRegistryEvents {
  /** The lists a preset shows changed; sessions of that preset get list_changed notifications. */
  listChanged: [slug: string, kinds: CatalogKind[]];
}

/**
 * Preset views by slug, built on first use (one load for N concurrent misses) and rebuilt when
 * the preset or one of its servers changes. An index from server id to slugs keeps invalidation
 * proportional to the presets that use the server, never a scan of every cached view.
 */
export class PresetRegistry extends EventEmitter<PresetRegistryEvents> {
  private readonly views = new Map<string, PresetView>();
  private readonly loading = new Map<string, Promise<PresetView | null>>();
  private readonly slugsByServer = new Map<string, Set<string>>();
  private readonly listSignatures = new Map<string, Record<CatalogKind, string>>();

  constructor(
    private readonly pool: UpstreamPool,
    private readonly loadPreset: (slug: string) => Promise<PresetWithServers | null>,
    private readonly options: ViewOptions,
  ) {
    super();
    pool.on('catalog', (serverId) => this.onServerChanged(serverId));
  }

  /** The cached view, or undefined when it must be loaded (async path). */
  peek(slug: string): PresetView | undefined {
    return this.views.get(slug);
  }

  get(slug: string): Promise<PresetView | null> {
    const cached = this.views.get(slug);
    if (cached) return Promise.resolve(cached);
    let pending = this.loading.get(slug);
    if (!pending) {
      pending = this.load(slug).finally(() => this.loading.delete(slug));
      this.loading.set(slug, pending);
    }
    return pending;
  }

  /** The preset was written through the admin API: drop it now, reload it, tell its sessions. */
  async presetChanged(slug: string): Promise<void> {
    this.forget(slug);
    const view = await this.get(slug);
    if (view) this.emit('listChanged', slug, ['tools', 'prompts', 'resources', 'resourceTemplates']);
  }

  forget(slug: string): void {
    const view = this.views.get(slug);
    this.views.delete(slug);
    this.listSignatures.delete(slug);
    if (!view) return;
    for (const serverId of view.serverIds) this.slugsByServer.get(serverId)?.delete(slug);
  }

  /** A server was created, renamed or deleted: every view that names it is rebuilt from the DB. */
  async serverRecordChanged(serverId: string): Promise<void> {
    const slugs = [...(this.slugsByServer.get(serverId) ?? [])];
    await Promise.all(slugs.map((slug) => this.presetChanged(slug)));
  }

  clear(): void {
    this.views.clear();
    this.slugsByServer.clear();
    this.listSignatures.clear();
  }

  private async load(slug: string): Promise<PresetView | null> {
    const preset = await this.loadPreset(slug);
    if (!preset || preset.status !== 'active') return null;
    return this.store(preset);
  }

  private store(preset: PresetWithServers): PresetView {
    const view = buildPresetView(preset, (id) => this.pool.get(id), this.options);
    for (const warning of view.warnings) this.options.log?.(`preset ${preset.slug}: ${warning}`);
    this.views.set(preset.slug, view);
    this.listSignatures.set(preset.slug, signatures(view));
    for (const serverId of view.serverIds) {
      let slugs = this.slugsByServer.get(serverId);
      if (!slugs) this.slugsByServer.set(serverId, (slugs = new Set()));
      slugs.add(preset.slug);
    }
    return view;
  }

  private onServerChanged(serverId: string): void {
    for (const slug of this.slugsByServer.get(serverId) ?? []) {
      const old = this.views.get(slug);
      if (!old) continue;
      const before = this.listSignatures.get(slug);
      const view = this.store(old.preset);
      const after = signatures(view);
      const changed = (Object.keys(after) as CatalogKind[]).filter((kind) => before?.[kind] !== after[kind]);
      if (changed.length > 0) this.emit('listChanged', slug, changed);
    }
  }
}

function signatures(view: PresetView): Record<CatalogKind, string> {
  return {
    tools: JSON.stringify(view.tools),
    prompts: JSON.stringify(view.prompts),
    resources: JSON.stringify(view.resources),
    resourceTemplates: JSON.stringify(view.resourceTemplates),
  };
}
