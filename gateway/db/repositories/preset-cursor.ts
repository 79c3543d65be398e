import { GatewayError } from '../../contract/errors.js';

/** Keyset position of a preset listing: the last row's (created_at, id). Opaque to clients. */
export interface PresetCursor {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodePresetCursor(c: PresetCursor): string {
  return Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id]), 'utf8').toString('base64url');
}

export function decodePresetCursor(cursor: string): PresetCursor {
  const invalid = () =>
    new GatewayError('invalid_cursor', 'invalid cursor: pass back the nextCursor of the previous page unchanged');
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [iso, id] = parsed as unknown[];
  if (typeof iso !== 'string' || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  const createdAt = new Date(iso);
  if (Number.isNaN(createdAt.getTime())) throw invalid();
  return { createdAt, id };
}
