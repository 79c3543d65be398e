import { serverSpecSchema, type ServerSpec } from '../contract/declarative.js';
import { formatIssues, formatPath, JsonSyntaxError, parseJsonText } from './load.js';

/**
 * Reads the MCP server lists other clients keep, so users can bring their servers along:
 * - Claude Desktop `claude_desktop_config.json`: `{"mcpServers": {name: {command, args, env}}}`
 * - Cursor / Claude Code `mcp.json`: the same, plus `{url, headers, type?}` remote servers
 * - VS Code `.vscode/mcp.json` `{"servers": {...}}` or settings.json `{"mcp": {"servers": {...}}}`,
 *   entries carrying `type` ("stdio" | "http" | "sse").
 * Entries we cannot represent become warnings; one bad entry never sinks the whole import.
 */

export type ImportFormat = 'claude-desktop' | 'cursor' | 'vscode';

export const importFormatLabels: Record<ImportFormat, string> = {
  'claude-desktop': 'Claude Desktop',
  cursor: 'Cursor / Claude Code mcp.json',
  vscode: 'VS Code',
};

export interface ImportedConfig {
  format: ImportFormat;
  /** Normalised name → spec with `transport` set, in file order. */
  servers: Record<string, ServerSpec>;
  /** Normalised name → name as written in the file, for entries whose name had to change. */
  renamed: Record<string, string>;
  warnings: string[];
}

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MAX_NAME = 63;

/** Parses the text of a client config file (JSON with comments allowed, as VS Code writes it). */
export function parseImportText(text: string, source = 'input'): ImportedConfig {
  let raw: unknown;
  try {
    raw = parseJsonText(text, { jsonc: true });
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      throw new Error(`${source}:${error.line}:${error.column}: invalid JSON: ${error.reason}`);
    }
    throw error;
  }
  return parseImportConfig(raw, source);
}

/** Parses an already-decoded client config. Throws only when no server list is found at all. */
export function parseImportConfig(raw: unknown, source = 'input'): ImportedConfig {
  if (!isRecord(raw)) throw new Error(`${source}: expected a JSON object at the top level`);
  const found = locateServers(raw);
  if (!found) {
    throw new Error(
      `${source}: no MCP servers found; expected "mcpServers" (Claude Desktop, Cursor), ` +
        `"servers" (VS Code mcp.json) or "mcp.servers" (VS Code settings.json)`,
    );
  }
  const { format, where, entries } = found;
  const warnings: string[] = [];
  const servers: Record<string, ServerSpec> = {};
  const renamed: Record<string, string> = {};
  const accepted: Array<[string, ServerSpec]> = [];
  for (const [original, entry] of Object.entries(entries)) {
    const label = `server "${original}"`;
    const spec = convertEntry(entry, label, warnings);
    if (!spec) continue;
    const checked = serverSpecSchema.safeParse(spec);
    if (!checked.success) {
      warnings.push(`${label} skipped: ${formatIssues(checked.error.issues)}`);
      continue;
    }
    accepted.push([original, checked.data]);
  }

  // Names that are already valid keep priority, so a generated "-2" never displaces a real one.
  const taken = new Set(accepted.map(([original]) => original).filter((name) => NAME_PATTERN.test(name)));
  const kept = new Set<string>();
  for (const [original, spec] of accepted) {
    let name: string;
    if (NAME_PATTERN.test(original) && !kept.has(original)) {
      name = original;
      kept.add(original);
    } else {
      name = normalizeServerName(original, taken);
      taken.add(name);
      renamed[name] = original;
    }
    servers[name] = spec;
  }
  if (Object.keys(entries).length === 0) warnings.push(`${where} is empty`);

  return { format, servers, renamed, warnings };
}

function locateServers(
  raw: Record<string, unknown>,
): { format: ImportFormat; where: string; entries: Record<string, unknown> } | null {
  if (isRecord(raw['mcpServers'])) {
    const entries = raw['mcpServers'];
    const remote = Object.values(entries).some((e) => isRecord(e) && ('url' in e || 'type' in e));
    return { format: remote ? 'cursor' : 'claude-desktop', where: 'mcpServers', entries };
  }
  if (isRecord(raw['servers'])) return { format: 'vscode', where: 'servers', entries: raw['servers'] };
  const mcp = raw['mcp'];
  if (isRecord(mcp) && isRecord(mcp['servers'])) return { format: 'vscode', where: 'mcp.servers', entries: mcp['servers'] };
  return null;
}

const KNOWN_FIELDS = new Set(['type', 'transport', 'command', 'args', 'env', 'cwd', 'url', 'headers', 'disabled', 'enabled']);
/** Client-side fields with no gateway meaning; dropped without noise. */
const IGNORED_FIELDS = new Set(['autoApprove', 'alwaysAllow', 'description', 'gallery', 'version', 'dev']);

function convertEntry(entry: unknown, label: string, warnings: string[]): ServerSpec | null {
  if (!isRecord(entry)) {
    warnings.push(`${label} skipped: expected an object, got ${describeType(entry)}`);
    return null;
  }
  const type = typeof entry['type'] === 'string' ? entry['type'] : typeof entry['transport'] === 'string' ? entry['transport'] : undefined;
  const hasCommand = entry['command'] !== undefined;
  const hasUrl = entry['url'] !== undefined;

  if (hasCommand && hasUrl) {
    warnings.push(`${label} skipped: it has both "command" and "url"`);
    return null;
  }
  if (!hasCommand && !hasUrl) {
    warnings.push(`${label} skipped: it has neither "command" (stdio) nor "url" (remote)`);
    return null;
  }
  const transport = resolveTransport(type, hasUrl, entry['url']);
  if (!transport) {
    warnings.push(`${label} skipped: transport type "${type}" is not supported (use stdio, http or sse)`);
    return null;
  }
  if ((transport === 'stdio') !== hasCommand) {
    warnings.push(`${label} skipped: type "${type}" does not match ${hasCommand ? '"command"' : '"url"'}`);
    return null;
  }

  const spec: ServerSpec = { transport };
  const problems: string[] = [];
  if (hasCommand) {
    spec.command = stringField(entry, 'command', problems);
    const args = stringList(entry['args'], 'args', problems);
    if (args) spec.args = args;
    const env = stringMap(entry['env'], 'env', problems);
    if (env) spec.env = env;
    if (entry['cwd'] !== undefined) spec.cwd = stringField(entry, 'cwd', problems);
    if (entry['envFile'] !== undefined) {
      warnings.push(`${label}: "envFile" is not supported; copy those variables into "env" after import`);
    }
  } else {
    spec.url = stringField(entry, 'url', problems);
    const headers = stringMap(entry['headers'], 'headers', problems);
    if (headers) spec.headers = headers;
  }
  if (problems.length > 0) {
    warnings.push(`${label} skipped: ${problems.join('; ')}`);
    return null;
  }
  if (entry['disabled'] === true || entry['enabled'] === false) spec.enabled = false;

  const ignored = Object.keys(entry).filter((k) => !KNOWN_FIELDS.has(k) && !IGNORED_FIELDS.has(k) && k !== 'envFile');
  if (ignored.length > 0) warnings.push(`${label}: ignored unsupported field(s) ${ignored.join(', ')}`);

  const variables = findVariables(spec);
  if (variables.length > 0) {
    warnings.push(
      `${label} uses ${variables.join(', ')}; kept as-is (the gateway does not expand client variables): ` +
        `replace ${variables.length > 1 ? 'them' : 'it'} with real values`,
    );
  }
  return spec;
}

function resolveTransport(type: string | undefined, hasUrl: boolean, url: unknown): ServerSpec['transport'] | null {
  if (type === undefined) {
    if (!hasUrl) return 'stdio';
    // Cursor infers the transport; a path ending in /sse is the legacy HTTP+SSE endpoint by convention.
    return typeof url === 'string' && /\/sse\/?(?:[?#].*)?$/.test(url) ? 'sse' : 'http';
  }
  switch (type.toLowerCase()) {
    case 'stdio':
      return 'stdio';
    case 'http':
    case 'streamable-http':
    case 'streamablehttp':
    case 'streamable_http':
      return 'http';
    case 'sse':
      return 'sse';
    default:
      return null;
  }
}

/** `${input:x}`, `${env:X}`, `${workspaceFolder}`…: client-side substitutions, listed once each. */
function findVariables(spec: ServerSpec): string[] {
  const strings = [
    spec.command,
    ...(spec.args ?? []),
    spec.cwd,
    spec.url,
    ...Object.values(spec.env ?? {}),
    ...Object.values(spec.headers ?? {}),
  ];
  const found = new Set<string>();
  for (const s of strings) {
    for (const match of s?.matchAll(/\$\{[^}\s]+\}/g) ?? []) found.add(match[0]);
  }
  return [...found];
}

/**
 * Server names become tool prefixes and CLI arguments: lowercase, `[a-z0-9-]`, 1-63 chars.
 * Accents are folded (é → e), any other run of characters becomes one '-', and a name already
 * in `taken` gets `-2`, `-3`, … appended.
 */
export function normalizeServerName(name: string, taken: ReadonlySet<string> = new Set()): string {
  let base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_NAME)
    .replace(/-+$/, '');
  if (!base) base = 'server';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, MAX_NAME - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken.has(candidate) && NAME_PATTERN.test(candidate)) return candidate;
  }
}

// ---------------------------------------------------------------------------------------------

function stringField(entry: Record<string, unknown>, key: string, problems: string[]): string {
  const value = entry[key];
  if (typeof value === 'string' && value !== '') return value;
  problems.push(`"${key}" must be a non-empty string, got ${describeType(value)}`);
  return '';
}

function stringList(value: unknown, key: string, problems: string[]): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push(`"${key}" must be an array of strings, got ${describeType(value)}`);
    return undefined;
  }
  const out: string[] = [];
  value.forEach((item, i) => {
    // Numbers and booleans in args are common in hand-written files; they mean their text.
    if (typeof item === 'string') out.push(item);
    else if (typeof item === 'number' || typeof item === 'boolean') out.push(String(item));
    else problems.push(`${formatPath([key, i])} must be a string, got ${describeType(item)}`);
  });
  return out;
}

function stringMap(value: unknown, key: string, problems: string[]): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    problems.push(`"${key}" must be an object of strings, got ${describeType(value)}`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else problems.push(`${formatPath([key, k])} must be a string, got ${describeType(v)}`);
  }
  return out;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
