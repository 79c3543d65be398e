import path from 'node:path';
import { readDeclarativeFile } from '../../config/load.js';
import type { MethodOutput } from '../../contract/index.js';
import { ADMIN_DETAILS, adminOptions, connectAdmin } from './admin.js';
import { jsonOption, type CommandSpec } from './command.js';
import { json } from './format.js';
import { writeLine, type CliIo } from './io.js';

export const applyCommand: CommandSpec = {
  name: 'apply',
  summary: 'Apply a declarative config file (servers and presets) to the running gateway.',
  positionals: [{ name: 'FILE', description: 'JSON file with "servers" (or "mcpServers") and "presets"' }],
  options: {
    ...adminOptions,
    prune: { type: 'boolean', description: 'also delete servers and presets that are not in FILE' },
    json: jsonOption,
  },
  details: `FILE is validated locally before anything is sent. Without --prune, servers and presets missing
from FILE are left alone.

${ADMIN_DETAILS}`,
  async run({ io, values, positionals }) {
    const file = path.resolve(io.cwd, positionals[0] as string);
    const config = await readDeclarativeFile(file);
    const admin = await connectAdmin(values, io);
    const result = await admin.call('config.apply', { config, prune: values['prune'] === true });
    if (values['json']) io.stdout.write(json(result));
    else printApplyResult(io, result);
    return 0;
  },
};

export function printApplyResult(io: CliIo, result: MethodOutput<'config.apply'>): void {
  const groups: Array<[string, string[]]> = [
    ['created', result.created],
    ['updated', result.updated],
    ['deleted', result.deleted],
    ['unchanged', result.unchanged],
  ];
  const width = Math.max(...groups.map(([label]) => label.length));
  for (const [label, names] of groups) {
    writeLine(io.stdout, `${label.padEnd(width)}  ${String(names.length).padStart(3)}${names.length ? `  ${names.join(', ')}` : ''}`);
  }
}
