import { create } from 'zustand';
import type { MethodOutput } from '../../../gateway/contract/index.js';
import { call, errorText } from '../api/client.js';
import type { ConnectionState } from '../api/http-transport.js';

export type Theme = 'system' | 'light' | 'dark';
export type Mode = 'desktop' | 'browser';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
}

interface AppState {
  mode: Mode;
  connection: ConnectionState;
  status: MethodOutput<'gateway.status'> | null;
  statusError: string | null;
  theme: Theme;
  toasts: Toast[];
  setMode(mode: Mode): void;
  setConnection(state: ConnectionState): void;
  loadStatus(): Promise<void>;
  setTheme(theme: Theme): void;
  toast(kind: Toast['kind'], text: string): void;
  dismiss(id: number): void;
}

const THEME_KEY = 'mcp-gateway.theme';
let nextToast = 1;

function storedTheme(): Theme {
  try {
    const value = globalThis.localStorage?.getItem(THEME_KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(theme: Theme): void {
  const root = globalThis.document?.documentElement;
  if (!root) return;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
}

export const useApp = create<AppState>((set, get) => ({
  mode: 'browser',
  connection: 'connecting',
  status: null,
  statusError: null,
  theme: storedTheme(),
  toasts: [],
  setMode: (mode) => set({ mode }),
  setConnection: (connection) => set({ connection }),
  async loadStatus() {
    try {
      const status = await call('gateway.status', {});
      set({ status, statusError: null, connection: get().connection === 'unauthorized' ? 'unauthorized' : get().connection });
    } catch (error) {
      set({ statusError: errorText(error) });
    }
  },
  setTheme(theme) {
    try {
      if (theme === 'system') globalThis.localStorage?.removeItem(THEME_KEY);
      else globalThis.localStorage?.setItem(THEME_KEY, theme);
    } catch {
      // storage may be disabled; the choice still applies to this page
    }
    applyTheme(theme);
    set({ theme });
  },
  toast(kind, text) {
    const id = nextToast++;
    set({ toasts: [...get().toasts, { id, kind, text }] });
    setTimeout(() => get().dismiss(id), kind === 'error' ? 8000 : 4000);
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));
