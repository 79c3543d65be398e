import { useEffect } from 'react';
import { useAccess } from '../stores/access.js';
import { AuditPanel } from './access/AuditSection.js';
import { TokensPanel } from './access/TokensSection.js';

export function AccessScreen() {
  useEffect(() => {
    const access = useAccess.getState();
    void access.loadTokens();
    void access.loadPresets();
    void access.loadAudit();
  }, []);
  return (
    <div className="screen">
      <header className="screen-header">
        <div>
          <h1>Access</h1>
          <p className="muted">
            Tokens let MCP clients open private and invite-only presets; the audit log shows every change, token use and refused request.
          </p>
        </div>
      </header>
      <TokensPanel />
      <AuditPanel />
    </div>
  );
}
