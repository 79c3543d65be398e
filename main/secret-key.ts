import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ElectronApi } from './electron-api.js';

const KEY_BYTES = 32;
export const SAFE_KEY_FILE = 'secret.key.safe';

/**
 * The key that encrypts upstream secrets (env values, headers) at rest, itself encrypted with
 * Electron safeStorage (Keychain, DPAPI, libsecret/kwallet) in `<dataDir>/secret.key.safe`.
 * Returns undefined when the OS offers no encryption (the gateway then keeps its 0600 key file),
 * and reuses an existing plain key file of a data dir that a headless gateway used before.
 */
export async function loadSafeStorageKey(
  safeStorage: ElectronApi['safeStorage'],
  dataDir: string,
  log: (line: string) => void,
): Promise<Buffer | undefined> {
  if (!safeStorage.isEncryptionAvailable()) {
    log('safeStorage is not available on this system: upstream secrets are protected by a 0600 key file');
    return undefined;
  }
  const safeFile = path.join(dataDir, SAFE_KEY_FILE);
  try {
    const key = Buffer.from(safeStorage.decryptString(await fs.readFile(safeFile)), 'base64');
    if (key.length !== KEY_BYTES) throw new Error(`${safeFile} holds no ${KEY_BYTES}-byte key`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await fs.access(path.join(dataDir, 'secret.key'));
    log('using the existing secret.key of this data dir (written by a headless gateway)');
    return undefined;
  } catch {
    // no plain key: create the protected one
  }
  const key = randomBytes(KEY_BYTES);
  await fs.mkdir(dataDir, { recursive: true });
  await fs.writeFile(safeFile, safeStorage.encryptString(key.toString('base64')), { mode: 0o600, flag: 'wx' });
  return key;
}
