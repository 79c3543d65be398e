import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/**
 * AES-256-GCM sealing of secret strings (server env and headers, as JSON). The sealed form is
 * `v1.<iv>.<tag>.<ciphertext>` (base64url), so a future key or algorithm change can be detected.
 */
export function encryptString(plaintext: string, key: Buffer): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join('.');
}

export function decryptString(sealed: string, key: Buffer): string {
  assertKey(key);
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || data === undefined) {
    throw new Error('secret-box: not a sealed value');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // Wrong key or tampered value; never echo the ciphertext.
    throw new Error('secret-box: cannot decrypt (wrong secret key or corrupted value)');
  }
}

export function encryptJson(value: unknown, key: Buffer): string {
  return encryptString(JSON.stringify(value), key);
}

export function decryptJson<T>(sealed: string, key: Buffer): T {
  return JSON.parse(decryptString(sealed, key)) as T;
}

/**
 * The key sealing secrets at rest: `<dataDir>/secret.key` (created 0600 on first use), or a
 * random per-process key when dataDir is null (in-memory database, nothing outlives it).
 */
export function loadOrCreateSecretKey(dataDir: string | null): Buffer {
  if (dataDir === null) return randomBytes(KEY_BYTES);
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'secret.key');
  try {
    return decodeKeyFile(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(KEY_BYTES);
  try {
    // 'wx': if another process created it meanwhile, keep theirs.
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return decodeKeyFile(readFileSync(file, 'utf8'), file);
    throw err;
  }
  chmodSync(file, 0o600); // mode is filtered by umask on creation
  return key;
}

function decodeKeyFile(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${file} does not hold a ${KEY_BYTES}-byte base64 key`);
  return key;
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`secret-box: key must be ${KEY_BYTES} bytes`);
}
