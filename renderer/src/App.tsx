import { useEffect } from 'react';
import { Layout } from './components/Layout.js';
import { Toasts } from './components/ui.js';
import { AccessScreen } from './screens/Access.js';
import { ConnectScreen } from './screens/Connect.js';
import { DashboardScreen } from './screens/Dashboard.js';
import { ImportScreen } from './screens/Import.js';
import { PlaygroundScreen } from './screens/Playground.js';
import { PresetEditorScreen } from './screens/PresetEditor.js';
import { PresetsScreen } from './screens/Presets.js';
import { ServerEditorScreen } from './screens/ServerEditor.js';
import { ServersScreen } from './screens/Servers.js';
import { SettingsScreen } from './screens/Settings.js';
import { SyncScreen } from './screens/Sync.js';
import { useRouter, type Route } from './stores/router.js';

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'presets':
      return <PresetsScreen />;
    case 'preset':
      return <PresetEditorScreen slug={route.slug} />;
    case 'preset-new':
      return <PresetEditorScreen />;
    case 'servers':
      return <ServersScreen />;
    case 'server':
      return <ServerEditorScreen name={route.name} />;
    case 'server-new':
      return <ServerEditorScreen />;
    case 'playground':
      return <PlaygroundScreen slug={route.slug} tool={route.tool} />;
    case 'dashboard':
      return <DashboardScreen />;
    case 'connect':
      return <ConnectScreen slug={route.slug} />;
    case 'import':
      return <ImportScreen />;
    case 'access':
      return <AccessScreen />;
    case 'sync':
      return <SyncScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}

const TITLES: Record<Route['screen'], string> = {
  presets: 'Presets',
  preset: 'Preset',
  'preset-new': 'New preset',
  servers: 'Servers',
  server: 'Server',
  'server-new': 'Add server',
  playground: 'Playground',
  dashboard: 'Dashboard',
  connect: 'Connect',
  import: 'Import',
  access: 'Access',
  sync: 'Sync',
  settings: 'Settings',
};

export function App() {
  const route = useRouter((s) => s.route);
  useEffect(() => {
    const onPop = (): void => useRouter.getState().sync();
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    document.title = `${TITLES[route.screen]} · MCP Gateway`;
    // Move focus to the new screen for keyboard and screen-reader users.
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route]);
  return (
    <Layout>
      <Screen key={route.screen === 'preset' ? `preset/${route.slug}` : route.screen === 'server' ? `server/${route.name}` : route.screen} route={route} />
      <Toasts />
    </Layout>
  );
}
