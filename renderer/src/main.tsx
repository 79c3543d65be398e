import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createContractClient, type ContractClient } from '../../gateway/contract/index.js';
import { clientFromBridge, desktopBridge, setClient } from './api/client.js';
import { createHttpTransport, type HttpTransport } from './api/http-transport.js';
import { saveToken, takeTokenFromLocation } from './api/token.js';
import { App } from './App.js';
import { LoginScreen } from './screens/Login.js';
import { applyTheme, useApp } from './stores/app.js';
import { connectEvents } from './stores/events.js';
import './styles.css';

/**
 * Start-up picks the transport once: the Electron preload's bridge (IPC, no token) when present,
 * else the admin HTTP API of the gateway that served this page (token from the one-time link).
 */
function Root() {
  const bridge = desktopBridge();
  const [token, setToken] = useState<string | null>(() => (bridge ? null : takeTokenFromLocation(location, history, sessionStorage)));
  const connection = useApp((s) => s.connection);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let transport: HttpTransport | null = null;
    let client: ContractClient;
    if (bridge) {
      useApp.getState().setMode('desktop');
      useApp.getState().setConnection('online');
      client = clientFromBridge(bridge);
    } else if (token) {
      useApp.getState().setMode('browser');
      transport = createHttpTransport({ token, onConnection: (state) => useApp.getState().setConnection(state) });
      client = createContractClient(transport);
    } else {
      return;
    }
    setClient(client);
    const stopEvents = connectEvents(client);
    setReady(true);
    void useApp.getState().loadStatus();
    return () => {
      stopEvents();
      transport?.close();
      setClient(null);
      setReady(false);
    };
  }, [bridge, token]);

  if (!bridge && (!token || connection === 'unauthorized')) {
    return (
      <LoginScreen
        refused={connection === 'unauthorized'}
        onToken={(next) => {
          saveToken(sessionStorage, next);
          useApp.getState().setConnection('connecting');
          setToken(next);
        }}
      />
    );
  }
  return ready ? <App /> : null;
}

applyTheme(useApp.getState().theme);
const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
}
