import type { ContractClient, GatewayEvents } from '../../../gateway/contract/index.js';
import { useApp } from './app.js';
import { useDashboard } from './dashboard.js';
import { usePresets } from './presets.js';
import { useServers } from './servers.js';
import { useSync } from './sync.js';

/**
 * The one place that subscribes to pushed gateway events and hands them to the stores.
 * Returns the unsubscribe function.
 */
export function connectEvents(client: ContractClient): () => void {
  let statusTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshStatusSoon = (): void => {
    if (statusTimer) return;
    statusTimer = setTimeout(() => {
      statusTimer = null;
      void useApp.getState().loadStatus();
    }, 300);
  };
  const off = client.onEvent((name, payload) => {
    switch (name) {
      case 'server.status': {
        const event = payload as GatewayEvents['server.status'];
        useServers.getState().applyStatus(event.name, event.status);
        refreshStatusSoon();
        break;
      }
      case 'preset.changed': {
        const event = payload as GatewayEvents['preset.changed'];
        void usePresets.getState().changed(event.slug);
        refreshStatusSoon();
        break;
      }
      case 'metrics.tick':
        if (useDashboard.getState().updatedAt !== null) void useDashboard.getState().refresh();
        break;
      case 'sync.status':
        useSync.getState().applyEvent(payload as GatewayEvents['sync.status']);
        break;
    }
  });
  return () => {
    off();
    if (statusTimer) clearTimeout(statusTimer);
  };
}
