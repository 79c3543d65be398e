import { useState } from 'react';
import { ErrorMessage, Field } from '../components/ui.js';

/** Shown in a browser that has no (or a refused) admin token. */
export function LoginScreen({ refused, onToken }: { refused: boolean; onToken: (token: string) => void }) {
  const [token, setToken] = useState('');
  return (
    <div className="login">
      <form
        className="panel"
        aria-label="Connect to the gateway"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <div className="brand">
          <img src="/icon.svg" alt="" width="32" height="32" />
          <h1>MCP Gateway</h1>
        </div>
        {refused ? <ErrorMessage>The gateway refused this token. It changes when the data folder changes; use the current one.</ErrorMessage> : null}
        <p>
          Open the link that <code>mcp-gateway serve</code> printed (“Open the UI: …”), or paste the admin token from the <code>admin-token</code> file in the gateway’s data folder.
        </p>
        <Field label="Admin token" htmlFor="login-token" hint="Kept in this browser tab only, until you close it.">
          <input id="login-token" type="password" className="mono" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} autoFocus />
        </Field>
        <button type="submit" className="button primary" disabled={!token.trim()}>
          Connect
        </button>
      </form>
    </div>
  );
}
