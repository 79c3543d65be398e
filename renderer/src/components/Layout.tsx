import type { ReactNode } from 'react';
import { useApp, type Theme } from '../stores/app.js';
import { useRouter, type Route } from '../stores/router.js';
import { Link } from './Link.js';
import { usePolling } from './ui.js';

const NAV: Array<{ label: string; to: Route; screens: Route['screen'][] }> = [
  { label: 'Presets', to: { screen: 'presets' }, screens: ['presets', 'preset', 'preset-new'] },
  { label: 'Servers', to: { screen: 'servers' }, screens: ['servers', 'server', 'server-new'] },
  { label: 'Playground', to: { screen: 'playground' }, screens: ['playground'] },
  { label: 'Dashboard', to: { screen: 'dashboard' }, screens: ['dashboard'] },
  { label: 'Connect', to: { screen: 'connect' }, screens: ['connect'] },
  { label: 'Import', to: { screen: 'import' }, screens: ['import'] },
  { label: 'Access', to: { screen: 'access' }, screens: ['access'] },
  { label: 'Sync', to: { screen: 'sync' }, screens: ['sync'] },
  { label: 'Settings', to: { screen: 'settings' }, screens: ['settings'] },
];

const THEMES: Array<{ value: Theme; label: string }> = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export function Layout({ children }: { children: ReactNode }) {
  const screen = useRouter((s) => s.route.screen);
  const status = useApp((s) => s.status);
  const connection = useApp((s) => s.connection);
  const mode = useApp((s) => s.mode);
  const theme = useApp((s) => s.theme);
  const setTheme = useApp((s) => s.setTheme);
  const statusError = useApp((s) => s.statusError);
  usePolling(() => void useApp.getState().loadStatus(), 10_000);
  const online = mode === 'desktop' ? status !== null && statusError === null : connection === 'online' && statusError === null;
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <img src="/icon.svg" alt="" width="28" height="28" />
          <span>MCP Gateway</span>
        </div>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => {
              const active = item.screens.includes(screen);
              return (
                <li key={item.label}>
                  <Link to={item.to} className={active ? 'nav-link active' : 'nav-link'} aria-current={active ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="sidebar-footer">
          <div className="gateway-status" data-testid="gateway-status">
            <span className={`dot ${online ? 'ok' : connection === 'connecting' ? 'pending' : 'bad'}`} aria-hidden="true" />
            <div>
              <div>{online ? 'Running' : connection === 'connecting' && !statusError ? 'Connecting…' : 'Not reachable'}</div>
              {!online && statusError ? <div className="muted small">{statusError}</div> : null}
              {status ? (
                <div className="muted small">
                  {status.url.replace(/^https?:\/\//, '')} · {status.servers.ready}/{status.servers.total} servers up
                </div>
              ) : null}
            </div>
          </div>
          <label className="theme-picker">
            <span>Theme</span>
            <select value={theme} onChange={(e) => setTheme(e.target.value as Theme)} aria-label="Theme">
              {THEMES.map((t) => (
                <option key={t.value} value={t.value}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
        </div>
      </aside>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
