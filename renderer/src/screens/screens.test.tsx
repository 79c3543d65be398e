// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installFakeGateway, presetSummary, serverView, status } from '../test/fake-gateway.js';
import { useConnect } from '../stores/connect.js';
import { usePlayground } from '../stores/playground.js';
import { usePresets } from '../stores/presets.js';
import { useRouter } from '../stores/router.js';
import { useServers } from '../stores/servers.js';
import { ConnectScreen } from './Connect.js';
import { PlaygroundScreen } from './Playground.js';
import { PresetsScreen } from './Presets.js';
import { ServersScreen } from './Servers.js';

beforeEach(() => {
  usePresets.setState({ items: [], search: '', nextCursor: null, hasMore: false, loaded: false, loading: false, error: null, details: {}, toolViews: {}, saving: {} });
  useServers.setState({ items: [], loaded: false, loading: false, error: null, details: {}, tools: {}, busy: {} });
  usePlayground.setState({ slug: '', tools: [], toolName: '', last: null, history: [], running: false, toolsError: null, toolsLoading: false });
  useConnect.setState({ info: null, error: null, preview: null, previewing: null, previewError: null, writing: false, written: null });
});
afterEach(() => cleanup());

const emptyPage = { items: [], pagination: { nextCursor: null, hasMore: false, limit: 20 } };

describe('Presets screen', () => {
  it('tells a newcomer to add a server first', async () => {
    installFakeGateway({ 'presets.list': emptyPage, 'servers.list': { items: [] } });
    render(<PresetsScreen />);
    expect(await screen.findByRole('heading', { name: 'No presets yet' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Add a server' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Import from a client' })).toBeTruthy();
  });

  it('lists presets with their endpoint and loads more on demand', async () => {
    const gw = installFakeGateway({
      'servers.list': { items: [serverView('fx')] },
      'presets.list': (input: Record<string, unknown>) =>
        input['cursor'] ? { items: [presetSummary('two')], pagination: { nextCursor: null, hasMore: false, limit: 20 } } : { items: [presetSummary('one')], pagination: { nextCursor: 'c', hasMore: true, limit: 20 } },
    });
    render(<PresetsScreen />);
    const card = await screen.findByTestId('preset-one');
    expect(within(card).getByText('http://127.0.0.1:7337/mcp/one')).toBeTruthy();
    expect(within(card).getByRole('button', { name: 'Copy URL of one' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByTestId('preset-two')).toBeTruthy();
    expect(gw.calls.filter((c) => c.method === 'presets.list').map((c) => c.input['cursor'])).toEqual([undefined, 'c']);
  });
});

describe('Servers screen', () => {
  it('shows live state, the last error, and restarts on request', async () => {
    const gw = installFakeGateway({
      'servers.list': { items: [serverView('fx', { status: status('failed', { lastError: 'spawn ENOENT', restarts: 3, breaker: 'open' }) })] },
      'servers.restart': serverView('fx', { status: status('starting') }),
    });
    render(<ServersScreen />);
    const card = await screen.findByTestId('server-fx');
    expect(within(card).getByText(/Failed/).textContent).toContain('breaker open');
    expect(within(card).getByText('spawn ENOENT')).toBeTruthy();
    expect(within(card).getByText('3 restarts')).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: 'Restart fx' }));
    await waitFor(() => expect(gw.calls.some((c) => c.method === 'servers.restart' && c.input['name'] === 'fx')).toBe(true));
    await waitFor(() => expect(within(screen.getByTestId('server-fx')).getByText('Starting')).toBeTruthy());
  });
});

describe('Playground screen', () => {
  it('builds a form from the input schema, calls the tool and shows result and latency', async () => {
    const gw = installFakeGateway({
      'presets.list': { items: [presetSummary('dev')], pagination: { nextCursor: null, hasMore: false, limit: 20 } },
      'presets.toolView': {
        tools: [{ serverName: 'fx', serverState: 'ready', upstreamName: 'add', exposedName: 'fx__add', description: 'Adds', allowed: true, timeoutMs: 30000, estimatedTokens: 10 }],
        estimatedTokens: 10,
      },
      'servers.tools': { tools: [{ name: 'add', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } }] },
      'tools.call': { status: 'ok', latencyMs: 2.25, serverName: 'fx', upstreamName: 'add', result: { content: [{ type: 'text', text: '5' }] }, error: null },
    });
    act(() => useRouter.setState({ route: { screen: 'playground' } }));
    render(<PlaygroundScreen />);
    const a = await screen.findByLabelText('a *');
    fireEvent.click(screen.getByRole('button', { name: 'Call tool' }));
    expect(await screen.findAllByText('required')).toHaveLength(2);
    fireEvent.change(a, { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('b *'), { target: { value: '3' } });
    fireEvent.click(screen.getByRole('button', { name: 'Call tool' }));
    const result = await screen.findByTestId('call-result');
    await waitFor(() => expect(result.textContent).toContain('5'));
    expect(screen.getByTestId('call-latency').textContent).toBe('2.3 ms');
    expect(gw.calls.find((c) => c.method === 'tools.call')?.input).toEqual({ slug: 'dev', name: 'fx__add', arguments: { a: 2, b: 3 } });
  });

  it('shows upstream errors in words', async () => {
    installFakeGateway({
      'presets.list': { items: [presetSummary('dev')], pagination: { nextCursor: null, hasMore: false, limit: 20 } },
      'presets.toolView': { tools: [{ serverName: 'fx', serverState: 'ready', upstreamName: 'slow', exposedName: 'fx__slow', allowed: true, timeoutMs: 100, estimatedTokens: 1 }], estimatedTokens: 1 },
      'servers.tools': { tools: [{ name: 'slow', inputSchema: { type: 'object', properties: {} } }] },
      'tools.call': { status: 'timeout', latencyMs: 100.4, serverName: 'fx', upstreamName: 'slow', result: null, error: { code: -32001, message: 'timed out after 100 ms (the call was cancelled upstream)' } },
    });
    render(<PlaygroundScreen slug="dev" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Call tool' }));
    const result = await screen.findByTestId('call-result');
    expect(within(result).getByText('Timed out')).toBeTruthy();
    expect(within(result).getByRole('alert').textContent).toContain('timed out after 100 ms');
  });
});

describe('Connect screen', () => {
  it('shows a snippet per client and writes only after explicit consent', async () => {
    const gw = installFakeGateway({
      'presets.list': { items: [presetSummary('dev')], pagination: { nextCursor: null, hasMore: false, limit: 20 } },
      'clients.list': {
        clients: [
          { id: 'cursor', label: 'Cursor', path: '/home/u/.cursor/mcp.json', exists: true, transport: 'http' },
          { id: 'claude-desktop', label: 'Claude Desktop', path: '/home/u/.config/Claude/claude_desktop_config.json', exists: false, transport: 'stdio' },
        ],
        bridge: { command: '/usr/bin/node', args: ['/opt/gw/bin/mcp-gateway.js'], env: {} },
      },
      'clients.preview': { path: '/home/u/.cursor/mcp.json', exists: true, before: '{\n  "mcpServers": {}\n}\n', after: '{\n  "mcpServers": {\n    "mcp-gateway-dev": { "url": "x" }\n  }\n}\n', entryName: 'mcp-gateway-dev' },
      'clients.write': { path: '/home/u/.cursor/mcp.json', backupPath: '/home/u/.cursor/mcp.json.mcp-gateway-1.bak' },
    });
    render(<ConnectScreen slug="dev" />);
    const cursor = await screen.findByTestId('snippet-cursor');
    expect(JSON.parse(cursor.textContent ?? '')).toEqual({ mcpServers: { 'mcp-gateway-dev': { url: 'http://127.0.0.1:7337/mcp/dev' } } });
    const desktop = JSON.parse(screen.getByTestId('snippet-claude-desktop').textContent ?? '');
    expect(desktop.mcpServers['mcp-gateway-dev']).toEqual({ command: '/usr/bin/node', args: ['/opt/gw/bin/mcp-gateway.js', 'connect', 'dev', '--url', 'http://127.0.0.1:7337'] });

    fireEvent.click(within(screen.getByTestId('client-cursor')).getByRole('button', { name: 'Add to config file…' }));
    const dialog = await screen.findByRole('dialog');
    const write = within(dialog).getByRole('button', { name: 'Write file' }) as HTMLButtonElement;
    expect(write.disabled).toBe(true);
    expect([...dialog.querySelectorAll('.diff-add')].map((l) => l.textContent).join('')).toContain('mcp-gateway-dev');
    fireEvent.click(within(dialog).getByRole('checkbox'));
    expect(write.disabled).toBe(false);
    fireEvent.click(write);
    expect(await within(dialog).findByText('/home/u/.cursor/mcp.json.mcp-gateway-1.bak')).toBeTruthy();
    expect(gw.calls.find((c) => c.method === 'clients.write')?.input).toEqual({ client: 'cursor', slug: 'dev', expectedBefore: '{\n  "mcpServers": {}\n}\n' });
  });
});
