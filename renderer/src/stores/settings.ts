import { create } from 'zustand';
import { callDesktop, type DesktopMethodOutput, type DesktopSettings } from '../../../gateway/contract/index.js';
import { desktopBridge, errorText } from '../api/client.js';

type Loaded = DesktopMethodOutput<'desktop.settings.get'>;

interface SettingsState {
  desktop: Loaded | null;
  loading: boolean;
  saving: boolean;
  error: string | null;
  load(): Promise<void>;
  save(changes: Partial<DesktopSettings>): Promise<{ restarted: boolean } | null>;
}

/** Desktop settings live in Electron main; in a browser there is no bridge and nothing to load. */
export const useSettings = create<SettingsState>((set, get) => ({
  desktop: null,
  loading: false,
  saving: false,
  error: null,
  async load() {
    const bridge = desktopBridge();
    if (!bridge) return;
    set({ loading: true });
    try {
      set({ desktop: await callDesktop(bridge, 'desktop.settings.get', {}), loading: false, error: null });
    } catch (error) {
      set({ loading: false, error: errorText(error) });
    }
  },
  async save(changes) {
    const bridge = desktopBridge();
    const current = get().desktop;
    if (!bridge || !current) return null;
    set({ saving: true, error: null });
    try {
      const result = await callDesktop(bridge, 'desktop.settings.update', { settings: changes });
      set({ desktop: { ...current, settings: result.settings }, saving: false });
      return { restarted: result.restarted };
    } catch (error) {
      set({ saving: false, error: errorText(error) });
      return null;
    }
  },
}));
