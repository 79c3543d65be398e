import type { ServerStatus } from './views.js';
import type { SyncState } from './sync-methods.js';

/** Events pushed to UIs (IPC `gw:event`, HTTP `GET /api/events`). */
export interface GatewayEvents {
  'server.status': { name: string; status: ServerStatus };
  'preset.changed': { slug: string };
  'metrics.tick': { calls: number; errors: number };
  /** Desktop sync moved on: UIs re-read sync.status. */
  'sync.status': { state: SyncState; pending: number; conflicts: number };
}
export type GatewayEventName = keyof GatewayEvents;
