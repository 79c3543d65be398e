import { parseArgs } from 'node:util';
import { UsageError, type CliIo } from './io.js';

/** One CLI command: its help text and options are data, so help and parsing never disagree. */
export interface CommandSpec {
  /** Words after `mcp-gateway`, e.g. 'presets list'. */
  name: string;
  summary: string;
  positionals?: PositionalSpec[];
  options?: Record<string, OptionSpec>;
  /** Extra paragraphs for --help. */
  details?: string;
  run(ctx: CommandContext): Promise<number>;
}

export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder in help, e.g. 'PORT'. */
  value?: string;
  description: string;
}

export interface CommandContext {
  io: CliIo;
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export const helpOption: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };
export const jsonOption: OptionSpec = { type: 'boolean', description: 'print JSON instead of text' };

export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** Parses argv for `spec`; wrong input becomes a UsageError with a one-line message. */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): Omit<CommandContext, 'io'> {
  const options: Record<string, OptionSpec> = { ...spec.options, help: helpOption };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(describeParseError(error), spec.name);
  }
  const positionals = parsed.positionals;
  const specs = spec.positionals ?? [];
  const required = specs.filter((p) => !p.optional);
  if (positionals.length < required.length) {
    throw new UsageError(`missing ${required[positionals.length]?.name ?? 'argument'}`, spec.name);
  }
  if (positionals.length > specs.length) {
    throw new UsageError(`unexpected argument '${positionals[specs.length]}'`, spec.name);
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === 'string' && value === '' && options[name]?.type === 'string') {
      throw new UsageError(`option '--${name}' needs a non-empty value`, spec.name);
    }
  }
  return { values: parsed.values as CommandContext['values'], positionals };
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  // Node quotes the option as '--port', '-p, --port <value>' or '-x': prefer the long name.
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const option = /--[\w-]+/.exec(quoted)?.[0] ?? /-\w/.exec(quoted)?.[0];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    if (/does not take an argument/.test(message)) return `option '${option}' does not take a value`;
    return `option '${option}' needs a value`;
  }
  const first = message.split('. ')[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

export function renderCommandHelp(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? []).map((p) => (p.optional ? `[${p.name}]` : p.name));
  const options: Record<string, OptionSpec> = { ...spec.options, help: helpOption };
  const lines = [
    `Usage: mcp-gateway ${[spec.name, ...positionals].join(' ')}${Object.keys(options).length > 1 ? ' [options]' : ''}`,
    '',
    spec.summary,
  ];
  if (spec.positionals?.length) {
    lines.push('', 'Arguments:');
    lines.push(...columns(spec.positionals.map((p) => [p.name, p.description])));
  }
  lines.push('', 'Options:');
  lines.push(
    ...columns(
      Object.entries(options).map(([name, o]) => [
        `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`,
        o.description,
      ]),
    ),
  );
  if (spec.details) lines.push('', spec.details.trim());
  return `${lines.join('\n')}\n`;
}

export function columns(rows: Array<[string, string]>, indent = '  '): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd());
}
