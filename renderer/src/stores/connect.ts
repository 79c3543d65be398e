import { create } from 'zustand';
import type { ClientId, MethodOutput } from '../../../gateway/contract/index.js';
import { call, errorText } from '../api/client.js';

export type ClientsInfo = MethodOutput<'clients.list'>;
export type ConfigPreview = MethodOutput<'clients.preview'>;

interface ConnectState {
  info: ClientsInfo | null;
  error: string | null;
  preview: (ConfigPreview & { client: ClientId; slug: string }) | null;
  previewing: ClientId | null;
  previewError: string | null;
  writing: boolean;
  written: { path: string; backupPath: string | null } | null;
  load(): Promise<void>;
  openPreview(client: ClientId, slug: string): Promise<void>;
  closePreview(): void;
  write(): Promise<void>;
}

export const useConnect = create<ConnectState>((set, get) => ({
  info: null,
  error: null,
  preview: null,
  previewing: null,
  previewError: null,
  writing: false,
  written: null,
  async load() {
    try {
      set({ info: await call('clients.list', {}), error: null });
    } catch (error) {
      set({ error: errorText(error) });
    }
  },
  async openPreview(client, slug) {
    set({ previewing: client, previewError: null, preview: null, written: null });
    try {
      const preview = await call('clients.preview', { client, slug });
      set({ preview: { ...preview, client, slug }, previewing: null });
    } catch (error) {
      set({ previewError: errorText(error), previewing: null });
    }
  },
  closePreview: () => set({ preview: null, previewError: null, written: null }),
  async write() {
    const preview = get().preview;
    if (!preview) return;
    set({ writing: true, previewError: null });
    try {
      const written = await call('clients.write', { client: preview.client, slug: preview.slug, expectedBefore: preview.before });
      set({ written, writing: false });
      void get().load();
    } catch (error) {
      set({ previewError: errorText(error), writing: false });
    }
  },
}));
