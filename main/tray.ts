import type { MenuItemConstructorOptions } from 'electron';
import type { SyncState } from '../gateway/contract/index.js';
import type { GatewayState } from './controller.js';

export interface TrayStatus {
  state: GatewayState;
  url: string | null;
  servers: { total: number; ready: number; failed: number } | null;
  errorsLastHour: number | null;
  presets: Array<{ slug: string; name: string; url: string }>;
  note: string | null;
  /** Team sync, when a team database is configured. */
  sync?: { state: SyncState; pending: number; conflicts: number } | null;
}

export type TrayAction = { kind: 'open' } | { kind: 'copy'; url: string } | { kind: 'pause' } | { kind: 'resume' } | { kind: 'sync' } | { kind: 'quit' };

export interface TrayItem {
  label: string;
  enabled: boolean;
  action?: TrayAction;
  submenu?: TrayItem[];
  separator?: boolean;
}

const STATE_WORDS: Record<GatewayState, string> = {
  stopped: 'stopped',
  starting: 'starting…',
  running: 'running',
  paused: 'paused',
  stopping: 'stopping…',
  failed: 'not running',
};

function port(url: string | null): string {
  if (!url) return '';
  try {
    return new URL(url).port;
  } catch {
    return '';
  }
}

/** The tray menu as data (tested without Electron); `toMenuTemplate` turns it into Electron's. */
export function trayMenuModel(status: TrayStatus): TrayItem[] {
  const running = status.state === 'running';
  const headline = running ? `Gateway running on port ${port(status.url)}` : `Gateway ${STATE_WORDS[status.state]}`;
  const items: TrayItem[] = [{ label: headline, enabled: false }];
  if (status.note) items.push({ label: status.note, enabled: false });
  if (running && status.servers) {
    const down = status.servers.total - status.servers.ready;
    items.push({
      label: status.servers.total === 0 ? 'No servers yet' : `Servers: ${status.servers.ready} up, ${down} down${status.servers.failed > 0 ? ` (${status.servers.failed} failed)` : ''}`,
      enabled: false,
    });
  }
  if (running && status.errorsLastHour !== null) {
    items.push({ label: status.errorsLastHour === 0 ? 'No errors in the last hour' : `Errors in the last hour: ${status.errorsLastHour}`, enabled: false });
  }
  if (running && status.sync) {
    items.push({ label: syncWords(status.sync).replace(/^team sync/, 'Team sync:'), enabled: false });
    items.push({ label: 'Sync with the team now', enabled: status.sync.state !== 'syncing', action: { kind: 'sync' } });
  }
  items.push({ label: '', enabled: false, separator: true });
  items.push({ label: 'Open MCP Gateway', enabled: true, action: { kind: 'open' } });
  items.push({
    label: 'Copy preset URL',
    enabled: running && status.presets.length > 0,
    submenu:
      status.presets.length > 0
        ? status.presets.map((p) => ({ label: `${p.name} (${p.slug})`, enabled: running, action: { kind: 'copy', url: p.url } }))
        : [{ label: 'No presets yet', enabled: false }],
  });
  if (status.state === 'paused' || status.state === 'failed' || status.state === 'stopped') {
    items.push({ label: 'Resume gateway', enabled: true, action: { kind: 'resume' } });
  } else {
    items.push({ label: 'Pause gateway', enabled: running, action: { kind: 'pause' } });
  }
  items.push({ label: '', enabled: false, separator: true });
  items.push({ label: 'Quit MCP Gateway', enabled: true, action: { kind: 'quit' } });
  return items;
}

export function trayTooltip(status: TrayStatus): string {
  if (status.state !== 'running') return `MCP Gateway: ${STATE_WORDS[status.state]}`;
  const servers = status.servers ? `, ${status.servers.ready}/${status.servers.total} servers up` : '';
  const errors = status.errorsLastHour ? `, ${status.errorsLastHour} errors in the last hour` : '';
  const sync = status.sync && (status.sync.conflicts > 0 || status.sync.state === 'offline' || status.sync.state === 'error') ? `; ${syncWords(status.sync)}` : '';
  return `MCP Gateway on port ${port(status.url)}${servers}${errors}${sync}`;
}

/** "team sync offline, 2 changes waiting", "team sync: 1 conflict to resolve", … */
function syncWords(sync: NonNullable<TrayStatus['sync']>): string {
  const parts = [`team sync ${sync.state === 'error' ? 'failing' : sync.state}`];
  if (sync.pending > 0) parts.push(`${sync.pending} change${sync.pending === 1 ? '' : 's'} waiting`);
  if (sync.conflicts > 0) parts.push(`${sync.conflicts} conflict${sync.conflicts === 1 ? '' : 's'} to resolve`);
  return parts.join(', ');
}

export function toMenuTemplate(items: TrayItem[], run: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.separator) return { type: 'separator' };
    const action = item.action;
    return {
      label: item.label,
      enabled: item.enabled,
      ...(item.submenu ? { submenu: toMenuTemplate(item.submenu, run) } : {}),
      ...(action ? { click: () => run(action) } : {}),
    };
  });
}
