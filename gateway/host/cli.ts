import { applyCommand } from './cli/apply.js';
import { columns, parseCommandArgs, renderCommandHelp, wantsHelp, type CommandSpec } from './cli/command.js';
import { connectCommand } from './cli/connect.js';
import { importCommand } from './cli/import.js';
import { defaultIo, UsageError, writeLine, type CliIo } from './cli/io.js';
import { presetsListCommand, presetsShowCommand } from './cli/presets.js';
import { serveCommand } from './cli/serve.js';
import { serversListCommand, serversRestartCommand, serversShowCommand } from './cli/servers.js';
import { tokensCreateCommand, tokensListCommand, tokensRevokeCommand } from './cli/tokens.js';
import { auditListCommand } from './cli/audit.js';
import {
  syncConfigureCommand,
  syncConflictsCommand,
  syncHistoryCommand,
  syncNowCommand,
  syncResolveCommand,
  syncRestoreCommand,
  syncShareCommand,
  syncStatusCommand,
  syncUnshareCommand,
} from './cli/sync.js';
import { statusCommand } from './cli/status.js';
import { packageVersion } from './package-info.js';

/**
 * `mcp-gateway` entry point. Returns the exit code: 0 ok, 1 runtime failure (unreachable gateway,
 * invalid file, API error), 2 wrong command line. Output streams, env and the gateway factory
 * come from `io`, so tests call main() directly.
 */

const commands: readonly CommandSpec[] = [
  serveCommand,
  applyCommand,
  importCommand,
  connectCommand,
  statusCommand,
  presetsListCommand,
  presetsShowCommand,
  serversListCommand,
  serversShowCommand,
  serversRestartCommand,
  tokensCreateCommand,
  tokensListCommand,
  tokensRevokeCommand,
  auditListCommand,
  syncStatusCommand,
  syncNowCommand,
  syncConfigureCommand,
  syncShareCommand,
  syncUnshareCommand,
  syncConflictsCommand,
  syncResolveCommand,
  syncHistoryCommand,
  syncRestoreCommand,
];

const groups: Record<string, string> = {
  presets: 'Inspect presets.',
  servers: 'Inspect and restart upstream servers.',
  tokens: 'Create, list and revoke access tokens for private and invite-only presets.',
  audit: 'Read the audit log.',
  sync: 'Desktop sync with a team PostgreSQL: status, share, conflicts.',
};

export type { CliIo } from './cli/io.js';

export async function main(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const cli: CliIo = { ...defaultIo(), ...io };
  try {
    return await dispatch(argv, cli);
  } catch (error) {
    return report(error, cli);
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(topHelp());
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && rest.length > 0) return dispatch([...rest, '--help'], io);
    io.stdout.write(topHelp());
    return 0;
  }
  if (first === '--version' || first === '-V' || first === '-v') {
    writeLine(io.stdout, packageVersion());
    return 0;
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);

  const second = rest[0];
  const twoWords = second === undefined ? undefined : commands.find((c) => c.name === `${first} ${second}`);
  const spec = twoWords ?? commands.find((c) => c.name === first);
  const args = twoWords ? rest.slice(1) : rest;

  if (!spec) {
    if (first in groups) {
      if (second === undefined || second.startsWith('-')) {
        const help = wantsHelp(rest);
        (help ? io.stdout : io.stderr).write(groupHelp(first));
        if (!help && second !== undefined) throw new UsageError(`unknown option '${second}'`, first);
        return help ? 0 : 2;
      }
      throw new UsageError(`unknown command '${first} ${second}'${suggest(`${first} ${second}`, subcommandsOf(first))}`, first);
    }
    throw new UsageError(`unknown command '${first}'${suggest(first, topLevelWords())}`);
  }

  if (wantsHelp(args)) {
    io.stdout.write(renderCommandHelp(spec));
    return 0;
  }
  const parsed = parseCommandArgs(spec, args);
  return spec.run({ io, ...parsed });
}

function report(error: unknown, io: CliIo): number {
  if (error instanceof UsageError) {
    writeLine(io.stderr, `mcp-gateway: ${error.message}`);
    writeLine(io.stderr, `Run 'mcp-gateway ${error.command ? `${error.command} ` : ''}--help' for usage.`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeLine(io.stderr, `mcp-gateway: ${message.replace(/\s*\n\s*/g, ' ')}`);
  if (io.env['MCP_GATEWAY_DEBUG'] && error instanceof Error && error.stack) writeLine(io.stderr, error.stack);
  return 1;
}

function topHelp(): string {
  const rows = commands.map((c): [string, string] => [usageWords(c), c.summary]);
  return [
    'MCP Gateway: runs MCP servers, groups their tools into presets and serves each preset at one local URL.',
    '',
    'Usage: mcp-gateway <command> [options]',
    '',
    'Commands:',
    ...columns(rows),
    '',
    'Options:',
    ...columns([
      ['-h, --help', 'show help (also after any command)'],
      ['-V, --version', 'show the version'],
    ]),
    '',
    "Run 'mcp-gateway <command> --help' for the options of a command.",
    '',
  ].join('\n');
}

function groupHelp(group: string): string {
  const subcommands = commands.filter((c) => c.name.startsWith(`${group} `));
  return [
    `Usage: mcp-gateway ${group} <command> [options]`,
    '',
    groups[group] ?? '',
    '',
    'Commands:',
    ...columns(subcommands.map((c): [string, string] => [usageWords(c), c.summary])),
    '',
    `Run 'mcp-gateway ${group} <command> --help' for the options of a command.`,
    '',
  ].join('\n');
}

function usageWords(spec: CommandSpec): string {
  return [spec.name, ...(spec.positionals ?? []).map((p) => (p.optional ? `[${p.name}]` : p.name))].join(' ');
}

function topLevelWords(): string[] {
  return [...new Set(commands.map((c) => c.name.split(' ')[0] as string)), 'help'];
}

function subcommandsOf(group: string): string[] {
  return commands.filter((c) => c.name.startsWith(`${group} `)).map((c) => c.name);
}

function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean '${best}'?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
