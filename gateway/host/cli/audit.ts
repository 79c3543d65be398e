import { ADMIN_DETAILS, adminOptions, connectAdmin } from './admin.js';
import { jsonOption, type CommandSpec } from './command.js';
import { json, table } from './format.js';
import { UsageError, writeLine } from './io.js';

export const auditListCommand: CommandSpec = {
  name: 'audit list',
  summary: 'Show the audit log: admin changes, token use and refused requests, newest first.',
  options: {
    limit: { type: 'string', value: 'N', description: 'how many entries (default 50, at most 500)' },
    action: { type: 'string', value: 'ACTION', description: 'only this action, e.g. access.denied or presets.update' },
    json: jsonOption,
    ...adminOptions,
  },
  details: ADMIN_DETAILS,
  async run({ io, values }) {
    const limit = values['limit'] === undefined ? 50 : Number(values['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit takes a whole number from 1 to 500');
    const admin = await connectAdmin(values, io);
    const { items } = await admin.call('audit.list', { limit, ...(typeof values['action'] === 'string' ? { action: values['action'] } : {}) });
    if (values['json']) {
      io.stdout.write(json(items));
      return 0;
    }
    if (items.length === 0) {
      writeLine(io.stdout, 'The audit log is empty.');
      return 0;
    }
    io.stdout.write(
      table(
        ['TIME', 'ACTOR', 'ACTION', 'TARGET', 'OUTCOME'],
        items.map((item) => [item.ts, item.actor, item.action, item.target ?? '-', item.outcome]),
      ),
    );
    return 0;
  },
};
