import type { MethodOutput, ServerView } from '../../contract/index.js';
import { ADMIN_DETAILS, adminOptions, connectAdmin } from './admin.js';
import { jsonOption, type CommandSpec } from './command.js';
import { commandLine, fields, json, table } from './format.js';
import { writeLine } from './io.js';

export const serversListCommand: CommandSpec = {
  name: 'servers list',
  summary: 'List upstream servers with their state and tool count.',
  options: { json: jsonOption, ...adminOptions },
  details: ADMIN_DETAILS,
  async run({ io, values }) {
    const admin = await connectAdmin(values, io);
    const { items } = await admin.call('servers.list', {});
    if (values['json']) {
      io.stdout.write(json(items));
      return 0;
    }
    if (items.length === 0) {
      writeLine(io.stdout, 'No servers. Add some with `mcp-gateway apply FILE` or `mcp-gateway import FILE`.');
      return 0;
    }
    io.stdout.write(
      table(
        ['NAME', 'TRANSPORT', 'STATE', 'TOOLS'],
        items.map((s) => [s.name, s.transport, describeState(s), String(s.status.toolCount)]),
      ),
    );
    return 0;
  },
};

export const serversShowCommand: CommandSpec = {
  name: 'servers show',
  summary: 'Show one server: how it runs, its state, last error and recent stderr.',
  positionals: [{ name: 'NAME', description: 'the server' }],
  options: { json: jsonOption, ...adminOptions },
  details: ADMIN_DETAILS,
  async run({ io, values, positionals }) {
    const admin = await connectAdmin(values, io);
    const server = await admin.call('servers.get', { name: positionals[0] as string });
    if (values['json']) io.stdout.write(json(server));
    else io.stdout.write(renderServer(server));
    return 0;
  },
};

export const serversRestartCommand: CommandSpec = {
  name: 'servers restart',
  summary: 'Restart one server (stdio: a new process; http/sse: a new connection).',
  positionals: [{ name: 'NAME', description: 'the server' }],
  options: { json: jsonOption, ...adminOptions },
  details: ADMIN_DETAILS,
  async run({ io, values, positionals }) {
    const admin = await connectAdmin(values, io);
    const server = await admin.call('servers.restart', { name: positionals[0] as string });
    if (values['json']) io.stdout.write(json(server));
    else writeLine(io.stdout, `Restarted ${server.name}: ${describeState(server)}, ${server.status.toolCount} tools`);
    return 0;
  },
};

function describeState(server: ServerView): string {
  return server.enabled ? server.status.state : `${server.status.state} (disabled)`;
}

export function renderServer(server: MethodOutput<'servers.get'>): string {
  const { status } = server;
  const pairs: Array<[string, string]> = [
    ['Name', server.name],
    ['Transport', server.transport],
  ];
  if (server.command !== null) {
    pairs.push(['Command', commandLine(server.command, server.args)]);
    if (server.cwd) pairs.push(['Cwd', server.cwd]);
    const env = Object.keys(server.env);
    if (env.length > 0) pairs.push(['Env', env.join(', ')]);
  }
  if (server.url !== null) {
    pairs.push(['URL', server.url]);
    const headers = Object.keys(server.headers);
    if (headers.length > 0) pairs.push(['Headers', headers.join(', ')]);
  }
  pairs.push(
    ['Enabled', server.enabled ? 'yes' : 'no'],
    ['Timeout', server.timeoutMs === null ? 'default' : `${server.timeoutMs} ms`],
    ['State', status.state + (status.pid !== null ? ` (pid ${status.pid})` : '')],
    ['Tools', String(status.toolCount)],
    ['Restarts', String(status.restarts)],
    ['Last error', status.lastError ?? '-'],
  );
  if (status.nextRetryAt) pairs.push(['Next retry', status.nextRetryAt]);
  pairs.push(['Updated', server.updatedAt]);
  let out = fields(pairs);
  if (server.stderrTail.length > 0) {
    out += `\nRecent stderr (last ${server.stderrTail.length} lines):\n`;
    out += server.stderrTail.map((line) => `  ${line}`).join('\n');
    out += '\n';
  }
  return out;
}
