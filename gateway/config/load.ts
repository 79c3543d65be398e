import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { declarativeConfigSchema, type DeclarativeConfig } from '../contract/declarative.js';
import { defaultDataDir } from '../host/data-dir.js';
import { gatewayConfigSchema, type GatewayConfig } from './schema.js';

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
  };
}

function settingsFromFlags(flags: GatewayFlags, cwd: string): SettingsLayer {
  const port = typeof flags.port === 'string' ? nonEmpty(flags.port) : flags.port;
  const dataDir = nonEmpty(flags.dataDir);
  return {
    port: port === undefined ? undefined : parsePort(String(port), '--port'),
    host: nonEmpty(flags.host),
    dataDir: dataDir === undefined ? undefined : resolvePath(cwd, dataDir),
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

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line} column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * Parses JSON (or, with `jsonc`, JSON with comments and trailing commas as VS Code writes it).
 * Plain JSON goes through JSON.parse; the scanner below only runs to locate an error or for JSONC,
 * because V8's messages do not always carry a position.
 */
export function parseJsonText(text: string, options: { jsonc?: boolean } = {}): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!options.jsonc) {
    try {
      return JSON.parse(body);
    } catch {
      // fall through to the scanner for a precise message
    }
  }
  return new JsonScanner(body, options.jsonc ?? false).parseDocument();
}

class JsonScanner {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly jsonc: boolean,
  ) {}

  parseDocument(): unknown {
    this.skip();
    const value = this.value();
    this.skip();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe()} after the end of the JSON value`);
    return value;
  }

  private value(): unknown {
    const ch = this.text[this.pos];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`unexpected ${this.describe()}, expected a value`);
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++; // {
    this.skip();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail(`unexpected ${this.describe()}, expected a property name in double quotes`);
      const key = this.string();
      this.skip();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after property name, found ${this.describe()}`);
      this.pos++;
      this.skip();
      // defineProperty: a "__proto__" key must stay data, as with JSON.parse.
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.skip();
      const ch = this.text[this.pos];
      if (ch === '}') {
        this.pos++;
        return out;
      }
      if (ch !== ',') this.fail(`expected ',' or '}' after property value, found ${this.describe()}`);
      this.pos++;
      this.skip();
      if (this.text[this.pos] === '}') {
        if (!this.jsonc) this.fail("trailing comma before '}'");
        this.pos++;
        return out;
      }
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    this.skip();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skip();
      const ch = this.text[this.pos];
      if (ch === ']') {
        this.pos++;
        return out;
      }
      if (ch !== ',') this.fail(`expected ',' or ']' after array element, found ${this.describe()}`);
      this.pos++;
      this.skip();
      if (this.text[this.pos] === ']') {
        if (!this.jsonc) this.fail("trailing comma before ']'");
        this.pos++;
        return out;
      }
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (Number.isNaN(code)) this.fail('unterminated string', start);
      if (code === 0x22) break; // "
      if (code < 0x20) this.fail('control character in string (use \\n, \\t, ...)');
      this.pos += code === 0x5c ? 2 : 1; // backslash skips the escaped character
    }
    this.pos++;
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      return this.fail('invalid escape sequence in string', start);
    }
  }

  private number(): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.pos;
    const found = match.exec(this.text);
    if (!found) return this.fail(`invalid number`);
    this.pos += found[0].length;
    const next = this.text[this.pos];
    if (next !== undefined && /[\w.]/.test(next)) this.fail('invalid number');
    return Number(found[0]);
  }

  /** Skips whitespace, and comments in JSONC mode. */
  private skip(): void {
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        this.pos++;
      } else if (this.jsonc && ch === '/' && this.text[this.pos + 1] === '/') {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end === -1 ? this.text.length : end + 1;
      } else if (this.jsonc && ch === '/' && this.text[this.pos + 1] === '*') {
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end === -1) this.fail('unterminated /* comment');
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  private describe(): string {
    const ch = this.text[this.pos];
    return ch === undefined ? 'end of file' : `'${ch}'`;
  }

  private fail(reason: string, at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - (before.lastIndexOf('\n') + 1) + 1;
    throw new JsonSyntaxError(reason, at, line, column);
  }
}

// ---------------------------------------------------------------------------------------------

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
