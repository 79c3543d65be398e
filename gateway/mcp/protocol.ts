/** Protocol revisions the downstream side speaks, newest first. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const SESSION_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
export const SUPPORTED_PROTOCOL_VERSIONS = [MODERN_PROTOCOL_VERSION, ...SESSION_PROTOCOL_VERSIONS];

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';

/** What we offer every client; the view decides what is actually listed. */
export function serverCapabilities(): Record<string, unknown> {
  return {
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: { subscribe: true, listChanged: true },
    logging: {},
    completions: {},
  };
}

/** The version a session-based client gets: its own if we speak it, else our newest session revision. */
export function negotiateSessionVersion(requested: unknown): string {
  return typeof requested === 'string' && SESSION_PROTOCOL_VERSIONS.includes(requested)
    ? requested
    : (SESSION_PROTOCOL_VERSIONS[0] as string);
}

export interface JsonRpcMessage {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

export type MessageKind = 'request' | 'notification' | 'response' | 'invalid';

export function classify(message: unknown): MessageKind {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return 'invalid';
  const m = message as JsonRpcMessage;
  if (m.jsonrpc !== '2.0') return 'invalid';
  const hasId = typeof m.id === 'string' || (typeof m.id === 'number' && Number.isFinite(m.id));
  if (typeof m.method === 'string') {
    if (m.params !== undefined && (typeof m.params !== 'object' || m.params === null)) return 'invalid';
    if (m.id === undefined) return 'notification';
    return hasId ? 'request' : 'invalid';
  }
  if (m.method !== undefined) return 'invalid';
  if (hasId && ('result' in m || 'error' in m)) return 'response';
  return 'invalid';
}
