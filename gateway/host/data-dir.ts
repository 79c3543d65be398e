import { randomBytes } from 'node:crypto';
import { promises as fs, constants as fsConstants, readFileSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/**
 * The gateway's data folder: database, admin token, lock and runtime file.
 * Everything here takes its inputs as arguments (no process.env reads at import time).
 */

export const APP_DIR_NAME = 'mcp-gateway';
export const LOCK_FILE = 'gateway.lock';
export const ADMIN_TOKEN_FILE = 'admin-token';
export const RUNTIME_FILE = 'runtime.json';

type Env = Readonly<Record<string, string | undefined>>;

export interface PlatformInfo {
  platform?: NodeJS.Platform;
  homedir?: string;
}

/** The per-user data folder of the platform (not created). */
export function defaultDataDir(env: Env = process.env, info: PlatformInfo = {}): string {
  const platform = info.platform ?? process.platform;
  const home = info.homedir ?? homedir();
  if (platform === 'win32') {
    const appData = nonEmpty(env['APPDATA']) ?? path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_DIR_NAME);
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  }
  // XDG Base Directory spec: relative values are invalid and must be ignored.
  const xdg = nonEmpty(env['XDG_DATA_HOME']);
  const base = xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
  return path.posix.join(base, APP_DIR_NAME);
}

/** Precedence: --data-dir flag > MCP_GATEWAY_DATA_DIR > platform default. Returns an absolute path. */
export function resolveDataDir(
  opts: { flag?: string | undefined; env?: Env; cwd?: string } & PlatformInfo = {},
): string {
  const env = opts.env ?? process.env;
  const chosen = nonEmpty(opts.flag) ?? nonEmpty(env['MCP_GATEWAY_DATA_DIR']);
  if (chosen) return path.resolve(opts.cwd ?? process.cwd(), expandHome(chosen, opts.homedir));
  return defaultDataDir(env, opts);
}

/** Creates the folder (and parents) with mode 0700. Existing folders are left as they are. */
export async function ensureDataDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
}

// ---------------------------------------------------------------------------------------------
// Lock: one gateway process per data dir (two PGlite instances on one folder corrupt it silently).

/** Lock files held by this process, so that a lock naming our own pid is known to be stale. */
const heldLocks = new Set<string>();

export class DataDirLockedError extends Error {
  constructor(
    readonly pid: number,
    readonly dir: string,
  ) {
    super(`another gateway (pid ${pid}) is using ${dir}; stop it or pass --data-dir`);
    this.name = 'DataDirLockedError';
  }
}

export type ReleaseLock = () => void;

/**
 * Takes the exclusive lock of `dir` (file `gateway.lock`, created with O_EXCL, holding our pid).
 * A lock whose process is gone is taken over; a live one is refused with a clear message.
 * Returns the disposer that releases it (idempotent, synchronous so it also works on exit).
 */
export async function acquireDataDirLock(dir: string, opts: { pid?: number } = {}): Promise<ReleaseLock> {
  const pid = opts.pid ?? process.pid;
  await ensureDataDir(dir);
  const lockPath = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreateLock(lockPath, pid)) {
      heldLocks.add(lockPath);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldLocks.delete(lockPath);
        releaseLockSync(lockPath, pid);
      };
    }
    const holder = await readLockPid(lockPath);
    if (holder === 'missing') continue; // released between our attempt and the read: try again
    if (holder === 'empty') {
      // The holder is between open(O_EXCL) and write: give it a moment before calling it stale.
      await delay(100);
      if ((await readLockPid(lockPath)) === 'empty') await takeOver(lockPath, 'empty');
      continue;
    }
    if (isLockHolderAlive(holder, lockPath)) throw new DataDirLockedError(holder, dir);
    await takeOver(lockPath, holder);
  }
  throw new Error(`could not lock ${dir}: the lock file ${lockPath} keeps changing; is another gateway starting?`);
}

async function tryCreateLock(lockPath: string, pid: number): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(lockPath, fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY, 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw new Error(`cannot create lock file ${lockPath}: ${describeFsError(error)}`);
  }
  try {
    await handle.writeFile(`${pid}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

async function readLockPid(lockPath: string): Promise<number | 'missing' | 'empty'> {
  let text: string;
  try {
    text = await fs.readFile(lockPath, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 'missing';
    throw new Error(`cannot read lock file ${lockPath}: ${describeFsError(error)}`);
  }
  const pid = Number.parseInt(text.trim(), 10);
  // Garbage in the lock file cannot name a live process: treat it like an empty (stale) lock.
  return Number.isSafeInteger(pid) && pid > 0 ? pid : 'empty';
}

function isLockHolderAlive(pid: number, lockPath: string): boolean {
  // Our own pid in a lock we do not hold is a leftover (e.g. a container restarted with pid 1).
  if (pid === process.pid) return heldLocks.has(lockPath);
  return isProcessAlive(pid);
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

/**
 * Removes a stale lock. Two processes may find the same stale lock at once; a short-lived
 * `gateway.lock.takeover` file (O_EXCL) lets only one of them remove it, and the content is
 * re-checked under it so a lock just created by the winner is never removed by the loser.
 */
async function takeOver(lockPath: string, stale: number | 'empty'): Promise<void> {
  const guard = `${lockPath}.takeover`;
  try {
    await (await fs.open(guard, 'wx', 0o600)).close();
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    // Someone else is taking over. A guard older than a few seconds was left by a crash.
    const stat = await fs.stat(guard).catch(() => null);
    if (stat && Date.now() - stat.mtimeMs > 5_000) await fs.rm(guard, { force: true });
    else await delay(50);
    return;
  }
  try {
    if ((await readLockPid(lockPath)) === stale) await fs.rm(lockPath, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}

function releaseLockSync(lockPath: string, pid: number): void {
  // Synchronous on purpose: also usable from 'exit' handlers. Only remove a lock that is ours.
  try {
    const text = readFileSyncSafe(lockPath);
    if (text !== null && Number.parseInt(text.trim(), 10) === pid) unlinkSyncSafe(lockPath);
  } catch {
    // Nothing useful to do: the next start treats a lock of a dead pid as stale.
  }
}

// ---------------------------------------------------------------------------------------------
// Admin token: 256-bit random hex, file mode 0600.

export function adminTokenPath(dir: string): string {
  return path.join(dir, ADMIN_TOKEN_FILE);
}

/** Reads `<dir>/admin-token`, creating it (0600) if missing; repairs a wrong mode. */
export async function loadOrCreateAdminToken(dir: string): Promise<string> {
  await ensureDataDir(dir);
  const file = adminTokenPath(dir);
  const existing = await readAdminToken(dir);
  if (existing) {
    await fixMode(file, 0o600);
    return existing;
  }
  const token = randomBytes(32).toString('hex');
  try {
    // 'wx': if two processes race, the loser reads the winner's token instead of overwriting it.
    await fs.writeFile(file, `${token}\n`, { mode: 0o600, flag: existing === null ? 'wx' : 'w' });
  } catch (error) {
    if (errorCode(error) === 'EEXIST') {
      const raced = await readAdminToken(dir);
      if (raced) return raced;
    }
    throw new Error(`cannot write admin token ${file}: ${describeFsError(error)}`);
  }
  await fixMode(file, 0o600);
  return token;
}

/** Writes a given token to `<dir>/admin-token` (0600, atomic replace). */
export async function saveAdminToken(dir: string, token: string): Promise<void> {
  await ensureDataDir(dir);
  await writeFileAtomic(adminTokenPath(dir), `${token}\n`, 0o600);
}

/**
 * The token in `<dir>/admin-token`: null if the file does not exist, '' if it is empty.
 * Never creates anything (used by admin commands, which must not invent a token).
 */
export async function readAdminToken(dir: string): Promise<string | null> {
  try {
    return (await fs.readFile(adminTokenPath(dir), 'utf8')).trim();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new Error(`cannot read admin token ${adminTokenPath(dir)}: ${describeFsError(error)}`);
  }
}

async function fixMode(file: string, mode: number): Promise<void> {
  if (process.platform === 'win32') return; // POSIX modes do not apply; the profile folder is per-user
  try {
    const stat = await fs.stat(file);
    if ((stat.mode & 0o777) !== mode) await fs.chmod(file, mode);
  } catch (error) {
    throw new Error(`cannot set mode ${mode.toString(8)} on ${file}: ${describeFsError(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Runtime file: lets other CLI commands find the running gateway.

export interface RuntimeInfo {
  url: string;
  pid: number;
}

export async function writeRuntimeFile(dir: string, info: RuntimeInfo): Promise<void> {
  await ensureDataDir(dir);
  await writeFileAtomic(path.join(dir, RUNTIME_FILE), `${JSON.stringify(info, null, 2)}\n`, 0o600);
}

/** The runtime file, or null when it is missing or unreadable. Does not check that pid is alive. */
export async function readRuntimeFile(dir: string): Promise<RuntimeInfo | null> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, RUNTIME_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { url, pid } = value as Record<string, unknown>;
    if (typeof url !== 'string' || typeof pid !== 'number') return null;
    return { url, pid };
  } catch {
    return null;
  }
}

/** Removes the runtime file; with `pid`, only if it still names that process. */
export async function removeRuntimeFile(dir: string, pid?: number): Promise<void> {
  if (pid !== undefined) {
    const current = await readRuntimeFile(dir);
    if (current && current.pid !== pid) return;
  }
  await fs.rm(path.join(dir, RUNTIME_FILE), { force: true });
}

// ---------------------------------------------------------------------------------------------

async function writeFileAtomic(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, content, { mode });
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true });
    throw new Error(`cannot write ${file}: ${describeFsError(error)}`);
  }
  await fixMode(file, mode);
}

function readFileSyncSafe(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function unlinkSyncSafe(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function expandHome(p: string, home?: string): string {
  if (p === '~') return home ?? homedir();
  if (p.startsWith('~/') || p.startsWith('~\\')) return path.join(home ?? homedir(), p.slice(2));
  return p;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

export function describeFsError(error: unknown): string {
  switch (errorCode(error)) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
