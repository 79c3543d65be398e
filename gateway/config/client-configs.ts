import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  clientEntry,
  clientEntryName,
  clientLabels,
  clientServersKey,
  type ClientEntryInput,
  type ClientId,
  type ClientInfo,
} from '../contract/index.js';
import { JsonSyntaxError, parseJsonText } from './load.js';

/**
 * Where MCP clients keep their user-level server lists, and how an entry is added to one
 * without disturbing anything else in the file. Nothing here reads the environment by itself:
 * callers pass the home folder, platform and environment.
 */

export interface ClientPlatform {
  home: string;
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
}

const HTTP_CLIENTS: ReadonlySet<ClientId> = new Set(['claude-code', 'cursor', 'vscode', 'windsurf']);
export const clientIds: readonly ClientId[] = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'windsurf'];

function appData(p: ClientPlatform): string {
  if (p.platform === 'win32') return p.env['APPDATA'] ?? path.join(p.home, 'AppData', 'Roaming');
  if (p.platform === 'darwin') return path.join(p.home, 'Library', 'Application Support');
  return p.env['XDG_CONFIG_HOME'] || path.join(p.home, '.config');
}

export function clientConfigPath(client: ClientId, p: ClientPlatform): string {
  const join = p.platform === 'win32' ? path.win32.join : path.posix.join;
  switch (client) {
    case 'claude-desktop':
      return join(appData(p), 'Claude', 'claude_desktop_config.json');
    case 'claude-code':
      return join(p.home, '.claude.json');
    case 'cursor':
      return join(p.home, '.cursor', 'mcp.json');
    case 'vscode':
      return join(appData(p), 'Code', 'User', 'mcp.json');
    case 'windsurf':
      return join(p.home, '.codeium', 'windsurf', 'mcp_config.json');
  }
}

export async function listClients(p: ClientPlatform): Promise<ClientInfo[]> {
  return Promise.all(
    clientIds.map(async (id) => {
      const file = clientConfigPath(id, p);
      return { id, label: clientLabels[id], path: file, exists: await exists(file), transport: HTTP_CLIENTS.has(id) ? 'http' : 'stdio' } as const;
    }),
  );
}

export class ClientConfigError extends Error {
  constructor(
    readonly kind: 'invalid' | 'comments' | 'changed',
    message: string,
  ) {
    super(message);
    this.name = 'ClientConfigError';
  }
}

/** The file's text, or null when it does not exist. */
export async function readClientFile(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The file with the preset's entry added (or replaced), every other key kept in order.
 * Files with comments (VS Code allows them) are refused: rewriting would drop the comments.
 */
export function patchClientConfig(before: string | null, input: ClientEntryInput, file: string): string {
  let root: unknown = {};
  if (before !== null && before.trim() !== '') {
    try {
      root = parseJsonText(before);
    } catch (error) {
      let jsonc = false;
      try {
        parseJsonText(before, { jsonc: true });
        jsonc = true;
      } catch {
        // not JSONC either: report the strict error
      }
      if (jsonc) {
        throw new ClientConfigError('comments', `${file} has comments or trailing commas; writing it would drop them, so paste the snippet by hand`);
      }
      const where = error instanceof JsonSyntaxError ? `:${error.line}:${error.column}` : '';
      throw new ClientConfigError('invalid', `${file}${where} is not valid JSON (${error instanceof Error ? error.message : String(error)}); fix it or paste the snippet by hand`);
    }
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new ClientConfigError('invalid', `${file} does not hold a JSON object at the top level`);
  }
  const key = clientServersKey(input.client);
  const object = root as Record<string, unknown>;
  const current = object[key];
  if (current !== undefined && (typeof current !== 'object' || current === null || Array.isArray(current))) {
    throw new ClientConfigError('invalid', `${file}: "${key}" is not an object`);
  }
  const servers = { ...((current as Record<string, unknown> | undefined) ?? {}), [clientEntryName(input.slug)]: clientEntry(input) };
  const indent = detectIndent(before);
  return `${JSON.stringify({ ...object, [key]: servers }, null, indent)}\n`;
}

/**
 * Writes `after` if the file still reads `expectedBefore`: a copy of the old file is kept next
 * to it (`<file>.mcp-gateway-<timestamp>.bak`), and the new one replaces it atomically.
 */
export async function writeClientConfig(
  file: string,
  expectedBefore: string | null,
  after: string,
  now: Date = new Date(),
): Promise<{ backupPath: string | null }> {
  const current = await readClientFile(file);
  if (current !== expectedBefore) {
    throw new ClientConfigError('changed', `${file} changed since you reviewed it; review the new difference and try again`);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  let backupPath: string | null = null;
  let mode = 0o600;
  if (current !== null) {
    const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    backupPath = `${file}.mcp-gateway-${stamp}.bak`;
    await fs.copyFile(file, backupPath);
    mode = (await fs.stat(file)).mode & 0o777;
  }
  const temp = `${file}.mcp-gateway-${process.pid}.tmp`;
  await fs.writeFile(temp, after, { mode });
  await fs.rename(temp, file);
  return { backupPath };
}

function detectIndent(text: string | null): number | string {
  const match = text ? /\n([ \t]+)"/.exec(text) : null;
  if (!match?.[1]) return 2;
  return match[1].startsWith('\t') ? '\t' : Math.min(match[1].length, 8);
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
