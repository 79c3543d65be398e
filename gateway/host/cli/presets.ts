import type { PresetDetail, PresetSummary } from '../../contract/index.js';
import { ADMIN_DETAILS, adminOptions, connectAdmin, stringValue, type AdminSession } from './admin.js';
import { jsonOption, type CommandSpec } from './command.js';
import { fields, json, table } from './format.js';
import { writeLine } from './io.js';

const PAGE_SIZE = 200;

export const presetsListCommand: CommandSpec = {
  name: 'presets list',
  summary: 'List presets with the URL each one is served at.',
  options: {
    search: { type: 'string', value: 'TEXT', description: 'only presets whose slug or name matches TEXT' },
    json: jsonOption,
    ...adminOptions,
  },
  details: ADMIN_DETAILS,
  async run({ io, values }) {
    const admin = await connectAdmin(values, io);
    const items = await listAllPresets(admin, stringValue(values['search']));
    if (values['json']) {
      io.stdout.write(json(items));
      return 0;
    }
    if (items.length === 0) {
      writeLine(io.stdout, 'No presets. Create one with `mcp-gateway apply FILE` or `mcp-gateway import FILE --preset SLUG`.');
      return 0;
    }
    io.stdout.write(
      table(
        ['SLUG', 'NAME', 'VISIBILITY', 'STATUS', 'URL'],
        items.map((p) => [p.slug, p.name, p.visibility, p.status, p.url]),
      ),
    );
    return 0;
  },
};

/** Follows the cursor to the end; a cursor that repeats would loop forever, so it stops there. */
export async function listAllPresets(admin: AdminSession, search?: string): Promise<PresetSummary[]> {
  const items: PresetSummary[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await admin.call('presets.list', {
      limit: PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
      ...(search ? { search } : {}),
    });
    items.push(...page.items);
    const next = page.pagination.nextCursor;
    if (!page.pagination.hasMore || !next || seen.has(next)) return items;
    seen.add(next);
    cursor = next;
  }
}

export const presetsShowCommand: CommandSpec = {
  name: 'presets show',
  summary: 'Show one preset: settings, URL, servers and access list.',
  positionals: [{ name: 'SLUG', description: 'the preset' }],
  options: { json: jsonOption, ...adminOptions },
  details: ADMIN_DETAILS,
  async run({ io, values, positionals }) {
    const admin = await connectAdmin(values, io);
    const preset = await admin.call('presets.get', { slug: positionals[0] as string });
    if (values['json']) io.stdout.write(json(preset));
    else io.stdout.write(renderPreset(preset));
    return 0;
  },
};

export function renderPreset(preset: PresetDetail): string {
  let out = fields([
    ['Slug', preset.slug],
    ['Name', preset.name],
    ...(preset.description ? ([['Description', preset.description]] as Array<[string, string]>) : []),
    ['URL', preset.url],
    ['Visibility', preset.visibility],
    ['Status', preset.status],
    ['Version', String(preset.version)],
    ['Updated', preset.updatedAt],
  ]);
  out += '\n';
  if (preset.servers.length === 0) {
    out += 'Servers: none\n';
  } else {
    out += table(
      ['SERVER', 'ENABLED', 'TOOLS', 'PREFIX'],
      preset.servers.map((s) => [
        s.serverName,
        s.enabled ? 'yes' : 'no',
        s.allowedTools.length > 0 ? s.allowedTools.join(', ') : 'all',
        s.prefix ?? '-',
      ]),
    );
  }
  if (preset.acl.length > 0) {
    out += `\nAccess: ${preset.acl.map((entry) => `${entry.type}:${entry.value}`).join(', ')}\n`;
  }
  return out;
}
