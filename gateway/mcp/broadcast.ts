import type { UpstreamPool } from '../upstream/pool.js';
import type { CatalogKind } from '../upstream/catalog.js';
import type { PresetRegistry } from './preset-registry.js';
import type { SessionStore } from './session.js';

const listChangedMethod: Record<CatalogKind, string> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
  resourceTemplates: 'notifications/resources/list_changed',
};

/**
 * Fans upstream events out to the client sessions they concern: list changes to every session
 * of an affected preset, log messages to sessions that asked for that level, resource updates
 * to the sessions subscribed to that URI. Returns a disposer.
 */
export function wireBroadcasts(pool: UpstreamPool, registry: PresetRegistry, sessions: SessionStore): () => void {
  const onListChanged = (slug: string, kinds: CatalogKind[]): void => {
    const methods = new Set(kinds.map((kind) => listChangedMethod[kind]));
    for (const session of sessions.ofSlug(slug)) {
      for (const method of methods) session.push({ jsonrpc: '2.0', method });
    }
  };
  const onNotification = (serverId: string, method: string, params: Record<string, unknown> | undefined): void => {
    for (const connectionSlug of slugsUsing(registry, sessions, serverId)) {
      for (const session of sessions.ofSlug(connectionSlug)) {
        if (method === 'notifications/message' && !session.wantsLog(String(params?.level ?? 'info'))) continue;
        if (method === 'notifications/resources/updated' && !session.subscriptions.has(String(params?.uri ?? ''))) continue;
        session.push(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
      }
    }
  };
  registry.on('listChanged', onListChanged);
  pool.on('notification', onNotification);
  return () => {
    registry.off('listChanged', onListChanged);
    pool.off('notification', onNotification);
  };
}

function* slugsUsing(registry: PresetRegistry, sessions: SessionStore, serverId: string): Iterable<string> {
  for (const slug of sessions.slugs()) {
    const view = registry.peek(slug);
    if (view?.serverIds.has(serverId)) yield slug;
  }
}
