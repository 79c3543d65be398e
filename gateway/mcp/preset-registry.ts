import { EventEmitter } from 'node:events';
import type { Visibility } from '../contract/index.js';
import type { PresetWithServers } from '../db/records.js';
import type { UpstreamPool } from '../upstream/pool.js';
import type { CatalogKind } from '../upstream/catalog.js';
import { TaggedCache, type CacheStats } from '../cache/tagged-cache.js';
import { buildPresetView, type PresetView, type ViewOptions } from './preset-view.js';

export interface PresetRegistryEvents {
  /** The lists a preset shows changed; sessions of that preset get list_changed notifications. */
  listChanged: [slug: string, kinds: CatalogKind[]];
}

export interface RegistryCacheOptions {
  maxEntries: number;
  maxBytes: number;
  ttlMs: Record<Visibility, number>;
  /** How often the hottest views are refreshed ahead of expiry (0: never). */
  warmIntervalMs: number;
  warmTopN: number;
}

export const defaultRegistryCacheOptions: RegistryCacheOptions = {
  maxEntries: 2_000,
  maxBytes: 64 * 1024 * 1024,
  ttlMs: { public: 15 * 60_000, invite_only: 10 * 60_000, private: 5 * 60_000 },
  warmIntervalMs: 60_000,
  warmTopN: 20,
};

const ALL_KINDS: CatalogKind[] = ['tools', 'prompts', 'resources', 'resourceTemplates'];

/**
 * Preset views by slug in a bounded cache. Correctness never waits for a TTL: admin writes and
 * upstream list changes rebuild the views they touch at once, found through the tag index
 * (`server:<id>`), never by scanning every cached view.
 */
export class PresetRegistry extends EventEmitter<PresetRegistryEvents> {
  private readonly cache: TaggedCache<PresetView>;
  private readonly listSignatures = new Map<string, Record<CatalogKind, string>>();
  private warmTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly loadPreset: (slug: string) => Promise<PresetWithServers | null>,
    private readonly options: ViewOptions,
    private readonly cacheOptions: RegistryCacheOptions = defaultRegistryCacheOptions,
    /** Whether live client sessions use a slug (they must hear about changes even after eviction). */
    private readonly hasWatchers: (slug: string) => boolean = () => false,
  ) {
    super();
    this.cache = new TaggedCache<PresetView>({
      maxEntries: cacheOptions.maxEntries,
      maxBytes: cacheOptions.maxBytes,
      sizeOf: (view) => view.approxBytes,
    });
    pool.on('catalog', (serverId) => this.onServerChanged(serverId));
    if (cacheOptions.warmIntervalMs > 0) {
      this.warmTimer = setInterval(() => void this.warm(), cacheOptions.warmIntervalMs);
      this.warmTimer.unref();
    }
  }

  /** The cached view for the hot path (counts a hit or miss), or undefined: call get(). */
  peek(slug: string): PresetView | undefined {
    return this.cache.get(slug);
  }

  /** Cached view, or one load shared by every concurrent caller. */
  get(slug: string): Promise<PresetView | null> {
    return this.cache.getOrLoad(slug, () => this.load(slug));
  }

  stats(): CacheStats {
    return this.cache.stats();
  }

  /**
   * The preset was written. A view that is cached or watched by live sessions is rebuilt now
   * and its sessions told; otherwise it is only dropped (the next request loads it), so that
   * writing 1,000 presets does not build 1,000 views nobody is using.
   */
  async presetChanged(slug: string): Promise<void> {
    const wasCached = this.cache.peek(slug) !== undefined;
    this.cache.delete(slug);
    this.listSignatures.delete(slug);
    if (!wasCached && !this.hasWatchers(slug)) return;
    const view = await this.get(slug);
    if (view) this.emit('listChanged', slug, ALL_KINDS);
  }

  /** Slugs of cached views that use a server. */
  slugsUsingServer(serverId: string): string[] {
    return this.cache.keysWithTag(`server:${serverId}`);
  }

  /** A server record was created, changed or deleted: views naming it reload from the database. */
  async serverRecordChanged(serverId: string): Promise<void> {
    await Promise.all(this.cache.keysWithTag(`server:${serverId}`).map((slug) => this.presetChanged(slug)));
  }

  stop(): void {
    if (this.warmTimer) clearInterval(this.warmTimer);
    this.cache.clear();
  }

  private async load(slug: string): Promise<{ value: PresetView; entry: { ttlMs: number; tags: string[] } } | null> {
    const preset = await this.loadPreset(slug);
    if (!preset || preset.status !== 'active') return null;
    const view = this.build(preset);
    return { value: view, entry: this.entryFor(view) };
  }

  private build(preset: PresetWithServers): PresetView {
    const view = buildPresetView(preset, (id) => this.pool.get(id), this.options);
    for (const warning of view.warnings) this.options.log?.(`preset ${preset.slug}: ${warning}`);
    this.listSignatures.set(preset.slug, signatures(view));
    return view;
  }

  private entryFor(view: PresetView): { ttlMs: number; tags: string[] } {
    return {
      ttlMs: this.cacheOptions.ttlMs[view.preset.visibility],
      tags: [`preset:${view.preset.slug}`, ...[...view.serverIds].map((id) => `server:${id}`)],
    };
  }

  /** Rebuilds (from the cached preset record, no query) every view that uses the server. */
  private onServerChanged(serverId: string): void {
    for (const slug of this.cache.keysWithTag(`server:${serverId}`)) {
      const old = this.cache.peek(slug);
      if (!old) continue;
      const before = this.listSignatures.get(slug);
      const view = this.build(old.preset);
      this.cache.set(slug, view, this.entryFor(view));
      const after = signatures(view);
      const changed = ALL_KINDS.filter((kind) => before?.[kind] !== after[kind]);
      if (changed.length > 0) this.emit('listChanged', slug, changed);
    }
  }

  /** Refreshes the most used views before they expire, so popular presets never miss. */
  private async warm(): Promise<void> {
    for (const slug of this.cache.hottest(this.cacheOptions.warmTopN)) {
      if (this.cache.remainingFraction(slug) > 0.25) continue;
      try {
        const loaded = await this.load(slug);
        if (!loaded) continue;
        this.cache.set(slug, loaded.value, loaded.entry);
      } catch (error) {
        this.options.log?.(`cache warm ${slug}: ${error instanceof Error ? error.message : String(error)}`);
      }
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
