import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { declarativeConfigSchema, type DeclarativeConfig } from '../contract/declarative.js';
import { defaultDataDir } from '../host/data-dir.js';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';
import { JsonSyntaxError, parseJsonText } from './json-text.js';

export { JsonSyntaxError, parseJsonText };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Runtime settings come from four layers: defaults < config file ("gateway" section) < env < flags.
 * Nothing here reads process.env or the file system at import time; callers pass what they have.
 */

export interface GatewayFlags {
  host?: string | undefined;
  port?: string | number | undefined;
  dataDir?: string | undefined;
  /** Path of the declarative config file (`serve --config`). */
  config?: string | undefined;
  /** Team mode (`serve --database-url/--read-replica-url/--redis-url`). */
  databaseUrl?: string | undefined;
  readReplicaUrl?: string | undefined;
  redisUrl?: string | undefined;
  /** Desktop sync (`serve --sync-url/--sync-member`). */
  syncUrl?: string | undefined;
  syncMember?: string | undefined;
}

export interface LoadGatewayConfigOptions {
  flags?: GatewayFlags;
  env?: Env;
  /** Declarative config file; its optional "gateway" object holds settings. Defaults to flags.config. */
  file?: string | undefined;
  /** Base for relative paths given in flags and env (default: process.cwd()). */
  cwd?: string;
  /** Default data dir when no layer sets one (default: the platform's user data folder, see host/data-dir). */
  defaultDataDir?: () => string;
}

/** The top-level key of a declarative file that holds runtime settings. */
export const SETTINGS_KEY = 'gateway';
const TOP_LEVEL_KEYS = new Set(['$schema', 'servers', 'mcpServers', 'presets', SETTINGS_KEY]);
const FILE_SETTING_KEYS = Object.keys(gatewayConfigSchema.shape).filter((key) => key !== 'configFile');

type SettingsLayer = Partial<Record<keyof GatewayConfig, unknown>>;

export async function loadGatewayConfig(options: LoadGatewayConfigOptions = {}): Promise<GatewayConfig> {
  const flags = options.flags ?? {};
  const env = options.env ?? {};
  const cwd = options.cwd ?? process.cwd();
  const fileArg = options.file ?? flags.config;
  const configFile = fileArg ? path.resolve(cwd, fileArg) : null;

  const layers: SettingsLayer[] = [];
  if (configFile) layers.push((await readConfigFile(configFile)).settings);
  layers.push(settingsFromEnv(env, cwd));
  layers.push(settingsFromFlags(flags, cwd));

  const merged: SettingsLayer = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) merged[key as keyof GatewayConfig] = value;
    }
  }
  merged.configFile = configFile;
  if (merged.dataDir === undefined) merged.dataDir = options.defaultDataDir ? options.defaultDataDir() : defaultDataDir(env);

  const parsed = gatewayConfigSchema.safeParse(merged);
  if (!parsed.success) throw new Error(`invalid settings: ${formatIssues(parsed.error.issues)}`);
  return parsed.data;
}

function settingsFromEnv(env: Env, cwd: string): SettingsLayer {
  const port = nonEmpty(env['MCP_GATEWAY_PORT']);
  const host = nonEmpty(env['MCP_GATEWAY_HOST']);
  const dataDir = nonEmpty(env['MCP_GATEWAY_DATA_DIR']);
  return {
    port: port === undefined ? undefined : parsePort(port, 'MCP_GATEWAY_PORT'),
    host,
    dataDir: dataDir === undefined ? undefined : resolvePath(cwd, dataDir),
    databaseUrl: nonEmpty(env['MCP_GATEWAY_DATABASE_URL']),
    readReplicaUrl: nonEmpty(env['MCP_GATEWAY_READ_REPLICA_URL']),
    redisUrl: nonEmpty(env['MCP_GATEWAY_REDIS_URL']),
    syncUrl: nonEmpty(env['MCP_GATEWAY_SYNC_URL']),
    syncMember: nonEmpty(env['MCP_GATEWAY_SYNC_MEMBER']),
  };
}

function settingsFromFlags(flags: GatewayFlags, cwd: string): SettingsLayer {
  const port = typeof flags.port === 'string' ? nonEmpty(flags.port) : flags.port;
  const dataDir = nonEmpty(flags.dataDir);
  return {
    port: port === undefined ? undefined : parsePort(String(port), '--port'),
    host: nonEmpty(flags.host),
    dataDir: dataDir === undefined ? undefined : resolvePath(cwd, dataDir),
    databaseUrl: nonEmpty(flags.databaseUrl),
    readReplicaUrl: nonEmpty(flags.readReplicaUrl),
    redisUrl: nonEmpty(flags.redisUrl),
    syncUrl: nonEmpty(flags.syncUrl),
    syncMember: nonEmpty(flags.syncMember),
  };
}

/** A TCP port 0-65535 (0: any free port), or a clear error naming where the value came from. */
export function parsePort(text: string, source: string): number {
  const trimmed = text.trim();
  const port = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${source}: expected a port number 0-65535, got '${text}'`);
  }
  return port;
}

// ---------------------------------------------------------------------------------------------
// Declarative files (`serve --config`, `apply`)

export interface ConfigFileContents {
  config: DeclarativeConfig;
  /** Settings from the "gateway" section, validated; relative dataDir resolved against the file. */
  settings: SettingsLayer;
}

/** Reads and validates a declarative config file. Errors are one line, prefixed with the path. */
export async function readDeclarativeFile(file: string): Promise<DeclarativeConfig> {
  return (await readConfigFile(file)).config;
}

export async function readConfigFile(file: string): Promise<ConfigFileContents> {
  const text = await readTextFile(file);
  let raw: unknown;
  try {
    raw = parseJsonText(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new Error(`${file}:${error.line}:${error.column}: invalid JSON: ${error.reason}`);
    }
    throw error;
  }
  if (!isPlainObject(raw)) throw new Error(`${file}: expected a JSON object at the top level`);

  const unknownKeys = Object.keys(raw).filter((key) => !TOP_LEVEL_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw new Error(
      `${file}: unknown top-level key ${unknownKeys.map((k) => `"${k}"`).join(', ')} ` +
        `(expected "servers", "mcpServers", "presets" or "${SETTINGS_KEY}")`,
    );
  }

  const parsed = declarativeConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${formatIssues(parsed.error.issues)}`);
  return { config: parsed.data, settings: fileSettings(file, raw[SETTINGS_KEY]) };
}

function fileSettings(file: string, section: unknown): SettingsLayer {
  if (section === undefined) return {};
  if (!isPlainObject(section)) throw new Error(`${file}: "${SETTINGS_KEY}" must be an object of settings`);
  const settings: SettingsLayer = {};
  for (const [key, value] of Object.entries(section)) {
    if (!FILE_SETTING_KEYS.includes(key)) {
      throw new Error(`${file}: ${SETTINGS_KEY}.${key}: unknown setting (known: ${FILE_SETTING_KEYS.join(', ')})`);
    }
    const field = gatewayConfigSchema.shape[key as keyof typeof gatewayConfigSchema.shape];
    const checked = key === 'dataDir' && typeof value !== 'string' ? null : field.safeParse(value);
    if (checked === null) throw new Error(`${file}: ${SETTINGS_KEY}.dataDir: expected a folder path (string)`);
    if (!checked.success) {
      throw new Error(`${file}: ${SETTINGS_KEY}.${key}: ${checked.error.issues[0]?.message ?? 'invalid value'}`);
    }
    // Relative folders in a file are relative to that file, not to wherever the CLI runs.
    settings[key as keyof GatewayConfig] =
      key === 'dataDir' ? resolvePath(path.dirname(file), value as string) : checked.data;
  }
  return settings;
}

/** The text of a file, with one-line errors prefixed by its path. */
export async function readTextFile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${file}: file not found`);
    if (code === 'EISDIR') throw new Error(`${file}: is a directory, expected a JSON file`);
    if (code === 'EACCES' || code === 'EPERM') throw new Error(`${file}: permission denied`);
    throw new Error(`${file}: cannot read: ${(error as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/** zod issues as one line: `path: message; path: message (and N more)`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], max = 3): string {
  const parts = issues.slice(0, max).map((issue) => {
    let message = issue.message;
    if (issue.code === 'invalid_key' && issue.issues[0]) message = `invalid key: ${issue.issues[0].message}`;
    const where = formatPath(issue.path);
    return where ? `${where}: ${message}` : message;
  });
  const more = issues.length > max ? ` (and ${issues.length - max} more)` : '';
  return parts.join('; ') + more;
}

export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON with exact error positions (and optional comments/trailing commas for editor configs).

function resolvePath(base: string, p: string): string {
  if (p === '~' || p.startsWith('~/') || p.startsWith('~\\')) return path.join(homedir(), p.slice(2));
  return path.resolve(base, p);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
