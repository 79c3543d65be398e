import { createHash } from 'node:crypto';

export const EXPOSED_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_NAME = 64;
const HASH_LENGTH = 8;

/**
 * The name a client sees: `<prefix>__<name>`, or `<name>` with an empty prefix. Characters
 * outside [a-zA-Z0-9_-] become "_"; a name that had to change or is too long gets a short hash
 * of the original, so two different upstream names never map to one exposed name.
 */
export function exposedName(prefix: string, name: string): string {
  const joined = prefix ? `${prefix}__${name}` : name;
  const sanitized = joined.replace(/[^a-zA-Z0-9_-]/g, '_');
  if (sanitized === joined && sanitized.length <= MAX_NAME && sanitized.length > 0) return sanitized;
  const hash = createHash('sha256').update(joined).digest('hex').slice(0, HASH_LENGTH);
  return `${sanitized.slice(0, MAX_NAME - HASH_LENGTH - 1)}_${hash}`;
}

/** Rough tokens a tool definition costs a model's context (≈4 bytes of JSON per token). */
export function estimateTokens(item: unknown): number {
  return Math.ceil(JSON.stringify(item).length / 4);
}
