import type { ServerStatus } from './views.js';

/** Events pushed to UIs (IPC `gw:event`, HTTP `GET /api/events`). */
export interface GatewayEvents {
  'server.status': { name: string; status: ServerStatus };
  'preset.changed': { slug: string };
  'metrics.tick': { calls: number; errors: number };
}
export type GatewayEventName = keyof GatewayEvents;
