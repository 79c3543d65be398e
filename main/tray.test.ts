import { describe, expect, it, vi } from 'vitest';
import { toMenuTemplate, trayMenuModel, trayTooltip, type TrayStatus } from './tray.js';

const running: TrayStatus = {
  state: 'running',
  url: 'http://127.0.0.1:7337',
  servers: { total: 3, ready: 2, failed: 1 },
  errorsLastHour: 4,
  presets: [
    { slug: 'dev', name: 'Dev', url: 'http://127.0.0.1:7337/mcp/dev' },
    { slug: 'ops', name: 'Ops', url: 'http://127.0.0.1:7337/mcp/ops' },
  ],
  note: null,
};

const labels = (status: TrayStatus) => trayMenuModel(status).map((i) => (i.separator ? '---' : `${i.enabled ? '' : '(off) '}${i.label}`));

describe('tray menu model', () => {
  it('shows status (port, servers, errors) and the quick actions while running', () => {
    expect(labels(running)).toEqual([
      '(off) Gateway running on port 7337',
      '(off) Servers: 2 up, 1 down (1 failed)',
      '(off) Errors in the last hour: 4',
      '---',
      'Open MCP Gateway',
      'Copy preset URL',
      'Pause gateway',
      '---',
      'Quit MCP Gateway',
    ]);
    const copy = trayMenuModel(running).find((i) => i.label === 'Copy preset URL');
    expect(copy?.submenu?.map((i) => [i.label, i.action])).toEqual([
      ['Dev (dev)', { kind: 'copy', url: 'http://127.0.0.1:7337/mcp/dev' }],
      ['Ops (ops)', { kind: 'copy', url: 'http://127.0.0.1:7337/mcp/ops' }],
    ]);
    expect(trayTooltip(running)).toBe('MCP Gateway on port 7337, 2/3 servers up, 4 errors in the last hour');
  });

  it('offers resume when paused and hides live numbers', () => {
    const paused = { ...running, state: 'paused' as const, servers: null, errorsLastHour: null };
    expect(labels(paused)).toEqual(['(off) Gateway paused', '---', 'Open MCP Gateway', '(off) Copy preset URL', 'Resume gateway', '---', 'Quit MCP Gateway']);
    expect(trayTooltip(paused)).toBe('MCP Gateway: paused');
  });

  it('explains an empty setup and a start failure', () => {
    const empty = { ...running, servers: { total: 0, ready: 0, failed: 0 }, errorsLastHour: 0, presets: [] };
    expect(labels(empty).slice(0, 3)).toEqual(['(off) Gateway running on port 7337', '(off) No servers yet', '(off) No errors in the last hour']);
    expect(trayMenuModel(empty).find((i) => i.label === 'Copy preset URL')?.submenu).toEqual([{ label: 'No presets yet', enabled: false }]);
    const failed = { ...running, state: 'failed' as const, note: 'port 7337 on 127.0.0.1 is already in use' };
    expect(labels(failed).slice(0, 2)).toEqual(['(off) Gateway not running', '(off) port 7337 on 127.0.0.1 is already in use']);
    expect(labels(failed)).toContain('Resume gateway');
  });

  it('turns into an Electron menu template whose clicks run the actions', () => {
    const run = vi.fn();
    const template = toMenuTemplate(trayMenuModel(running), run);
    expect(template[3]).toEqual({ type: 'separator' });
    const copy = template.find((t) => t.label === 'Copy preset URL');
    (copy?.submenu as Array<{ click: () => void }>)[1]?.click();
    expect(run).toHaveBeenCalledWith({ kind: 'copy', url: 'http://127.0.0.1:7337/mcp/ops' });
    template.find((t) => t.label === 'Quit MCP Gateway')?.click?.(undefined as never, undefined, undefined as never);
    expect(run).toHaveBeenLastCalledWith({ kind: 'quit' });
    expect(template[0]).toEqual({ label: 'Gateway running on port 7337', enabled: false });
  });

  it('says how team sync is doing, in the menu always and in the tooltip when it needs attention', () => {
    const idle = { ...running, sync: { state: 'idle' as const, pending: 0, conflicts: 0 } };
    expect(labels(idle)).toContain('(off) Team sync: idle');
    expect(trayTooltip(idle)).toBe('MCP Gateway on port 7337, 2/3 servers up, 4 errors in the last hour');
    const now = trayMenuModel(idle).find((i) => i.label === 'Sync with the team now');
    expect(now).toMatchObject({ enabled: true, action: { kind: 'sync' } });
    const offline = { ...running, sync: { state: 'offline' as const, pending: 2, conflicts: 1 } };
    expect(labels(offline)).toContain('(off) Team sync: offline, 2 changes waiting, 1 conflict to resolve');
    expect(trayTooltip(offline)).toBe('MCP Gateway on port 7337, 2/3 servers up, 4 errors in the last hour; team sync offline, 2 changes waiting, 1 conflict to resolve');
    expect(labels({ ...running, sync: null }).some((label) => label.includes('Team sync'))).toBe(false);
  });
});
