import { ADMIN_DETAILS, adminOptions, connectAdmin } from './admin.js';
import { jsonOption, type CommandSpec } from './command.js';
import { fields, json } from './format.js';

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'Show whether the gateway is running, where, and how its servers are doing.',
  options: { ...adminOptions, json: jsonOption },
  details: ADMIN_DETAILS,
  async run({ io, values }) {
    const admin = await connectAdmin(values, io);
    const status = await admin.call('gateway.status', {});
    if (values['json']) {
      io.stdout.write(json(status));
      return 0;
    }
    io.stdout.write(
      fields([
        ['URL', status.url],
        ['Version', status.version],
        ['Data dir', status.dataDir],
        ['Started', status.startedAt],
        ['Servers', `${status.servers.ready}/${status.servers.total} ready${status.servers.failed ? `, ${status.servers.failed} failed` : ''}`],
        ['Presets', String(status.presets)],
      ]),
    );
    return 0;
  },
};
