import { create } from 'zustand';
import type { GatewayEvents, MethodInput, MethodOutput } from '../../../gateway/contract/index.js';
import { call, errorText, loadPresetSlugs } from '../api/client.js';

export type SyncStatus = MethodOutput<'sync.status'>;
export type SharedPreset = SyncStatus['shared'][number];
export type SyncConflict = MethodOutput<'sync.conflicts'>['items'][number];
export type TeamLatency = MethodOutput<'sync.teamLatency'>;
export type TeamGroupBy = MethodInput<'sync.teamLatency'>['groupBy'];
export type ConfigureInput = MethodInput<'sync.configure'>;

interface SyncStoreState {
  status: SyncStatus | null;
  statusLoading: boolean;
  statusError: string | null;
  conflicts: SyncConflict[];
  conflictsError: string | null;
  /** Local preset slugs (the share picker offers the ones not shared yet). */
  presetSlugs: string[];
  presetsError: string | null;
  teamGroupBy: TeamGroupBy;
  team: TeamLatency | null;
  teamLoading: boolean;
  teamError: string | null;
  /** Status, conflicts and the local presets: what the screen needs when it opens. */
  load(): Promise<void>;
  /** Re-reads status and conflicts (after a pushed event or a change made here). */
  refresh(): Promise<void>;
  /** A pushed `sync.status` event: its counters apply at once, the rest is re-read. */
  applyEvent(event: GatewayEvents['sync.status']): void;
  loadPresets(): Promise<void>;
  configure(input: ConfigureInput): Promise<SyncStatus>;
  syncNow(): Promise<SyncStatus>;
  share(slug: string, includeSecrets: boolean): Promise<SyncStatus>;
  unshare(slug: string): Promise<SyncStatus>;
  resolve(id: number, keep: 'mine' | 'theirs'): Promise<SyncStatus>;
  restore(slug: string, version: number): Promise<SyncStatus>;
  loadTeam(groupBy?: TeamGroupBy): Promise<void>;
}

export const initialSyncState = {
  status: null,
  statusLoading: false,
  statusError: null,
  conflicts: [],
  conflictsError: null,
  presetSlugs: [],
  presetsError: null,
  teamGroupBy: 'member',
  team: null,
  teamLoading: false,
  teamError: null,
} satisfies Partial<SyncStoreState>;

export const useSync = create<SyncStoreState>((set, get) => {
  // Events come in bursts during a cycle (syncing, then idle): one re-read at a time, and one
  // more after it if anything arrived meanwhile.
  let refreshing: Promise<void> | null = null;
  let again = false;

  const loadStatus = async (): Promise<void> => {
    set({ statusLoading: true });
    try {
      set({ status: await call('sync.status', {}), statusLoading: false, statusError: null });
    } catch (error) {
      set({ statusLoading: false, statusError: errorText(error) });
    }
  };
  const loadConflicts = async (): Promise<void> => {
    try {
      const { items } = await call('sync.conflicts', {});
      set({ conflicts: items, conflictsError: null });
    } catch (error) {
      set({ conflictsError: errorText(error) });
    }
  };
  /** A change made here answers with the new status; conflicts may have moved with it. */
  const changed = async (status: SyncStatus): Promise<SyncStatus> => {
    set({ status, statusError: null });
    await loadConflicts();
    return status;
  };

  return {
    ...initialSyncState,
    async load() {
      await Promise.all([loadStatus(), loadConflicts(), get().loadPresets()]);
    },
    refresh() {
      if (refreshing) {
        again = true;
        return refreshing;
      }
      refreshing = (async () => {
        do {
          again = false;
          await Promise.all([loadStatus(), loadConflicts()]);
        } while (again);
      })().finally(() => {
        refreshing = null;
      });
      return refreshing;
    },
    applyEvent(event) {
      const status = get().status;
      if (!status) return; // the screen has not been opened: it reads everything when it is
      set({ status: { ...status, state: event.state, pending: event.pending, conflicts: event.conflicts } });
      void get().refresh();
    },
    async loadPresets() {
      set(await loadPresetSlugs());
    },
    async configure(input) {
      return changed(await call('sync.configure', input));
    },
    async syncNow() {
      return changed(await call('sync.now', {}));
    },
    async share(slug, includeSecrets) {
      return changed(await call('sync.share', { slug, includeSecrets }));
    },
    async unshare(slug) {
      return changed(await call('sync.unshare', { slug }));
    },
    async resolve(id, keep) {
      return changed(await call('sync.resolve', { id, keep }));
    },
    async restore(slug, version) {
      return changed(await call('sync.restore', { slug, version }));
    },
    async loadTeam(groupBy = get().teamGroupBy) {
      set({ teamGroupBy: groupBy, teamLoading: true });
      try {
        const team = await call('sync.teamLatency', { groupBy });
        // A newer grouping may have been picked while this one was in flight.
        if (get().teamGroupBy === groupBy) set({ team, teamLoading: false, teamError: null });
      } catch (error) {
        if (get().teamGroupBy === groupBy) set({ teamLoading: false, teamError: errorText(error) });
      }
    },
  };
});
