import path from 'node:path';
import { createInterface } from 'node:readline';
import { importFormatLabels, parseImportText, type ImportedConfig } from '../../config/import-formats.js';
import { readTextFile } from '../../config/load.js';
import {
  GatewayError,
  presetSlugSchema,
  type PresetDetail,
  type PresetServerBinding,
  type PresetSpec,
  type ServerSpec,
} from '../../contract/index.js';
import { ADMIN_DETAILS, adminOptions, connectAdmin, stringValue, type AdminSession } from './admin.js';
import { printApplyResult } from './apply.js';
import type { CommandSpec } from './command.js';
import { commandLine } from './format.js';
import { UsageError, writeLine, type CliIo } from './io.js';

export const importCommand: CommandSpec = {
  name: 'import',
  summary: 'Import the MCP servers of a Claude Desktop, Cursor or VS Code config file.',
  positionals: [
    {
      name: 'FILE',
      description: 'claude_desktop_config.json, Cursor/Claude Code mcp.json, VS Code mcp.json or settings.json',
    },
  ],
  options: {
    preset: { type: 'string', value: 'SLUG', description: 'also create (or extend) a preset with all imported servers' },
    yes: { type: 'boolean', short: 'y', description: 'add without asking (you have reviewed the commands)' },
    ...adminOptions,
  },
  details: `Every command that would run is printed first (environment variable names only, never their
values), and nothing is added until you confirm. Without a terminal, --yes is required.
Existing servers with the same name are replaced; presets are only extended.

${ADMIN_DETAILS}`,
  async run({ io, values, positionals }) {
    const file = path.resolve(io.cwd, positionals[0] as string);
    const slug = stringValue(values['preset']);
    if (slug !== undefined && !presetSlugSchema.safeParse(slug).success) {
      throw new UsageError(`invalid preset slug '${slug}': use lowercase letters, digits and "-" (1-63 chars)`, 'import');
    }
    const imported = parseImportText(await readTextFile(file), file);
    const names = Object.keys(imported.servers);
    if (names.length === 0) {
      printWarnings(io, imported.warnings);
      throw new Error(`${file}: no servers to import`);
    }

    const admin = await connectAdmin(values, io);
    const existing = new Set((await admin.call('servers.list', {})).items.map((s) => s.name));
    const preset = slug === undefined ? undefined : await loadPreset(admin, slug);

    printPlan(io, file, imported, existing);
    if (slug !== undefined) {
      writeLine(io.stdout, `${preset ? 'Preset' : 'New preset'} '${slug}' will include ${names.length === 1 ? 'it' : 'all of them'}.`);
    }
    printWarnings(io, imported.warnings);

    const question = `Add ${names.length} server${names.length === 1 ? '' : 's'}? [y/N] `;
    if (values['yes'] !== true) {
      if (!io.stdin.isTTY) {
        throw new Error('not adding servers without confirmation (stdin is not a terminal): review the commands above and re-run with --yes');
      }
      if (!(await confirm(io, question))) {
        writeLine(io.stderr, 'Nothing imported.');
        return 1;
      }
    }

    const presets: Record<string, PresetSpec> = {};
    if (slug !== undefined) presets[slug] = extendPreset(slug, preset, names);
    const result = await admin.call('config.apply', { config: { servers: imported.servers, presets }, prune: false });
    printApplyResult(io, result);
    if (slug !== undefined) {
      const detail = await admin.call('presets.get', { slug }).catch(() => undefined);
      if (detail) writeLine(io.stdout, `Preset '${slug}': ${detail.url}`);
    }
    return 0;
  },
};

function printPlan(io: CliIo, file: string, imported: ImportedConfig, existing: ReadonlySet<string>): void {
  const entries = Object.entries(imported.servers);
  writeLine(
    io.stdout,
    `Found ${entries.length} server${entries.length === 1 ? '' : 's'} in ${file} (${importFormatLabels[imported.format]}):`,
  );
  for (const [name, spec] of entries) {
    const notes: string[] = [spec.transport ?? 'stdio'];
    if (imported.renamed[name]) notes.push(`named "${imported.renamed[name]}" in the file`);
    if (spec.enabled === false) notes.push('disabled');
    if (existing.has(name)) notes.push('replaces the existing server');
    writeLine(io.stdout);
    writeLine(io.stdout, `  ${name}  (${notes.join(', ')})`);
    for (const [label, value] of describeSpec(spec)) writeLine(io.stdout, `    ${`${label}:`.padEnd(9)}${value}`);
  }
  writeLine(io.stdout);
  if (entries.some(([, spec]) => spec.command)) {
    writeLine(io.stdout, 'The commands above will run on this machine with your permissions.');
  }
}

function describeSpec(spec: ServerSpec): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  if (spec.command) {
    lines.push(['command', commandLine(spec.command, spec.args)]);
    if (spec.cwd) lines.push(['cwd', spec.cwd]);
    // Keys only: values are often secrets and this output ends up in terminals and logs.
    if (spec.env && Object.keys(spec.env).length) lines.push(['env', Object.keys(spec.env).join(', ')]);
  } else {
    lines.push(['url', spec.url ?? '']);
    if (spec.headers && Object.keys(spec.headers).length) lines.push(['headers', Object.keys(spec.headers).join(', ')]);
  }
  return lines;
}

function printWarnings(io: CliIo, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  writeLine(io.stderr, 'Warnings:');
  for (const warning of warnings) writeLine(io.stderr, `  - ${warning}`);
}

async function loadPreset(admin: AdminSession, slug: string): Promise<PresetDetail | undefined> {
  try {
    return await admin.call('presets.get', { slug });
  } catch (error) {
    if (error instanceof GatewayError && error.code === 'not_found') return undefined;
    throw error;
  }
}

/** The preset's current spec plus the new servers; existing bindings (tool filters…) are kept. */
export function extendPreset(slug: string, preset: PresetDetail | undefined, names: readonly string[]): PresetSpec {
  const servers: Record<string, PresetServerBinding> = {};
  for (const binding of preset?.servers ?? []) {
    servers[binding.serverName] = {
      enabled: binding.enabled,
      ...(binding.allowedTools.length > 0 ? { tools: binding.allowedTools } : {}),
      ...(Object.keys(binding.toolTimeouts).length > 0 ? { toolTimeouts: binding.toolTimeouts } : {}),
      ...(Object.keys(binding.toolOverrides).length > 0 ? { toolOverrides: binding.toolOverrides } : {}),
      ...(binding.prefix !== null ? { prefix: binding.prefix } : {}),
    };
  }
  for (const name of names) servers[name] ??= true;
  if (!preset) return { name: slug, servers };
  return {
    name: preset.name,
    description: preset.description,
    visibility: preset.visibility,
    status: preset.status,
    servers,
    acl: preset.acl,
  };
}

/** Asks on the terminal; anything but y/yes (including Ctrl-D) is a no. */
function confirm(io: CliIo, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin, output: io.stderr });
    let answered = false;
    // In terminal mode readline swallows Ctrl-C unless someone listens: treat it as "no".
    rl.on('SIGINT', () => rl.close());
    rl.once('close', () => {
      if (!answered) {
        writeLine(io.stderr);
        resolve(false);
      }
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(/^\s*y(es)?\s*$/i.test(answer));
    });
  });
}
