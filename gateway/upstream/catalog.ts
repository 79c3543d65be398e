import type { JsonRpcPeer } from './json-rpc-peer.js';

/** What one upstream server offers, kept raw so unknown fields reach clients untouched. */
export type RawItem = Record<string, unknown> & { name?: string; uri?: string; uriTemplate?: string };

export interface Catalog {
  tools: RawItem[];
  prompts: RawItem[];
  resources: RawItem[];
  resourceTemplates: RawItem[];
  capabilities: Record<string, unknown>;
  serverInfo: Record<string, unknown>;
  instructions: string | null;
}

export type CatalogKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

export const emptyCatalog = (): Catalog => ({
  tools: [],
  prompts: [],
  resources: [],
  resourceTemplates: [],
  capabilities: {},
  serverInfo: {},
  instructions: null,
});

/** list method, result field and the capability that gates it, per catalog kind. */
export const catalogLists: Record<CatalogKind, { method: string; field: string; capability: string }> = {
  tools: { method: 'tools/list', field: 'tools', capability: 'tools' },
  prompts: { method: 'prompts/list', field: 'prompts', capability: 'prompts' },
  resources: { method: 'resources/list', field: 'resources', capability: 'resources' },
  resourceTemplates: { method: 'resources/templates/list', field: 'resourceTemplates', capability: 'resources' },
};

export const listChangedKinds: Record<string, CatalogKind[]> = {
  'notifications/tools/list_changed': ['tools'],
  'notifications/prompts/list_changed': ['prompts'],
  'notifications/resources/list_changed': ['resources', 'resourceTemplates'],
};

/** Every page of a list method (bounded: a server that pages forever stops at 1,000 pages). */
export async function fetchAllPages(peer: JsonRpcPeer, method: string, field: string, timeoutMs: number): Promise<RawItem[]> {
  const items: RawItem[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await peer.request(method, cursor ? { cursor } : undefined, { timeoutMs });
    items.push(...((result[field] as RawItem[] | undefined) ?? []));
    cursor = typeof result.nextCursor === 'string' && result.nextCursor ? result.nextCursor : undefined;
    if (!cursor) break;
  }
  return items;
}
