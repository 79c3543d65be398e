import { beforeEach, describe, expect, it } from 'vitest';
import { installFakeGateway, presetSummary, serverView, status } from '../test/fake-gateway.js';
import { connectEvents } from './events.js';
import { fillSeries, stepFor } from './dashboard.js';
import { usePlayground } from './playground.js';
import { isToolAllowed, toggleTool, usePresets, type BindingView } from './presets.js';
import { parseRoute, routePath, type Route } from './router.js';
import { specOf, useServers } from './servers.js';

const binding = (extra: Partial<BindingView> = {}): BindingView => ({
  serverName: 'fx',
  enabled: true,
  allowedTools: [],
  toolTimeouts: {},
  toolOverrides: {},
  prefix: null,
  ...extra,
});

describe('tool allowlist toggling', () => {
  const all = ['echo', 'add', 'slow'];
  it('switching one tool off from "all" lists the others', () => {
    const next = toggleTool(binding(), all, 'add', false);
    expect(next.allowedTools).toEqual(['echo', 'slow']);
    expect(isToolAllowed(next, 'add')).toBe(false);
  });
  it('switching every tool back on returns to "all" (empty list)', () => {
    expect(toggleTool(binding({ allowedTools: ['echo', 'slow'] }), all, 'add', true)).toMatchObject({ enabled: true, allowedTools: [] });
  });
  it('switching the last tool off disables the server in the preset', () => {
    expect(toggleTool(binding({ allowedTools: ['echo'] }), all, 'echo', false)).toMatchObject({ enabled: false, allowedTools: [] });
  });
  it('switching a tool on in a disabled binding allows only that tool', () => {
    expect(toggleTool(binding({ enabled: false }), all, 'slow', true)).toMatchObject({ enabled: true, allowedTools: ['slow'] });
  });
});

describe('router', () => {
  it('round-trips every route through its path', () => {
    const routes: Route[] = [
      { screen: 'presets' },
      { screen: 'preset', slug: 'dev' },
      { screen: 'preset-new' },
      { screen: 'servers' },
      { screen: 'server', name: 'fx' },
      { screen: 'server-new' },
      { screen: 'playground', slug: 'dev', tool: 'fx__echo' },
      { screen: 'dashboard' },
      { screen: 'connect', slug: 'dev' },
      { screen: 'import' },
      { screen: 'access' },
      { screen: 'sync' },
      { screen: 'settings' },
    ];
    for (const route of routes) {
      const path = routePath(route);
      const [pathname, search = ''] = path.split('?');
      expect(parseRoute(pathname as string, search ? `?${search}` : '')).toEqual(route);
    }
    expect(parseRoute('/')).toEqual({ screen: 'presets' });
    expect(parseRoute('/nowhere')).toEqual({ screen: 'presets' });
  });
});

describe('stores over the typed client', () => {
  beforeEach(() => {
    usePresets.setState({ items: [], search: '', nextCursor: null, hasMore: false, loaded: false, loading: false, error: null, details: {}, toolViews: {} });
    useServers.setState({ items: [], loaded: false, loading: false, error: null, details: {}, tools: {}, busy: {} });
  });

  it('pages presets with the cursor and searches', async () => {
    const gw = installFakeGateway({
      'presets.list': (input: Record<string, unknown>) =>
        input['cursor']
          ? { items: [presetSummary('b')], pagination: { nextCursor: null, hasMore: false, limit: 20 } }
          : { items: [presetSummary('a')], pagination: { nextCursor: 'c1', hasMore: true, limit: 20 } },
    });
    await usePresets.getState().load();
    expect(usePresets.getState()).toMatchObject({ hasMore: true, nextCursor: 'c1' });
    await usePresets.getState().loadMore();
    expect(usePresets.getState().items.map((p) => p.slug)).toEqual(['a', 'b']);
    expect(gw.calls[1]).toEqual({ method: 'presets.list', input: { limit: 20, cursor: 'c1' } });
    await usePresets.getState().load({ search: 'zz' });
    expect(gw.calls[2]?.input).toEqual({ limit: 20, search: 'zz' });
  });

  it('shows new bindings at once and rolls them back when the gateway refuses', async () => {
    const detail = { ...presetSummary('dev'), servers: [binding()], acl: [] };
    installFakeGateway({
      'presets.update': () => {
        throw Object.assign(new Error('tool name collision'), { code: 'conflict' });
      },
    });
    usePresets.setState({ details: { dev: detail } });
    const saving = usePresets.getState().saveBindings('dev', [binding({ allowedTools: ['echo'] })]);
    expect(usePresets.getState().details['dev']?.servers[0]?.allowedTools).toEqual(['echo']);
    await expect(saving).rejects.toThrow('tool name collision');
    expect(usePresets.getState().details['dev']?.servers[0]?.allowedTools).toEqual([]);
  });

  it('applies pushed server status through the one event subscription', async () => {
    const gw = installFakeGateway({ 'servers.list': { items: [serverView('fx', { status: status('starting') })] }, 'gateway.status': { version: '1', url: 'http://x', dataDir: '/d', startedAt: '2026-01-01T00:00:00Z', servers: { total: 1, ready: 1, failed: 0 }, presets: 0 } });
    await useServers.getState().load();
    const stop = connectEvents(gw.client);
    gw.emit('server.status', { name: 'fx', status: status('ready') });
    expect(useServers.getState().items[0]?.status.state).toBe('ready');
    stop();
    gw.emit('server.status', { name: 'fx', status: status('failed') });
    expect(useServers.getState().items[0]?.status.state).toBe('ready');
  });

  it('stopping a server sends its full spec back with enabled=false (masked secrets kept)', async () => {
    const view = serverView('fx', { env: { TOKEN: '••••••' }, timeoutMs: 5000 });
    const gw = installFakeGateway({ 'servers.update': (input: Record<string, unknown>) => ({ ...view, enabled: (input['spec'] as { enabled: boolean }).enabled }) });
    useServers.setState({ items: [view] });
    await useServers.getState().setEnabled('fx', false);
    expect(gw.calls[0]?.input).toEqual({ name: 'fx', spec: { transport: 'stdio', command: 'node', args: ['server.js', 'stdio'], env: { TOKEN: '••••••' }, enabled: false, timeoutMs: 5000 } });
    expect(useServers.getState().items[0]?.enabled).toBe(false);
    expect(specOf(serverView('r', { transport: 'http', command: null, args: [], url: 'http://u/mcp', headers: { A: 'b' } }))).toEqual({ transport: 'http', url: 'http://u/mcp', headers: { A: 'b' }, enabled: true });
  });

  it('the Playground lists exposed tools with their input schemas and records each call', async () => {
    const gw = installFakeGateway({
      'presets.toolView': {
        tools: [
          { serverName: 'fx', serverState: 'ready', upstreamName: 'echo', exposedName: 'fx__echo', description: 'Echo', allowed: true, timeoutMs: 30000, estimatedTokens: 10 },
          { serverName: 'fx', serverState: 'ready', upstreamName: 'add', exposedName: null, allowed: false, timeoutMs: 30000, estimatedTokens: 10 },
        ],
        estimatedTokens: 10,
      },
      'servers.tools': { tools: [{ name: 'echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }] },
      'tools.call': { status: 'ok', latencyMs: 1.5, serverName: 'fx', upstreamName: 'echo', result: { content: [{ type: 'text', text: 'hi' }] }, error: null },
    });
    await usePlayground.getState().selectPreset('dev');
    expect(usePlayground.getState().tools).toEqual([
      { exposedName: 'fx__echo', serverName: 'fx', upstreamName: 'echo', description: 'Echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } }, timeoutMs: 30000 },
    ]);
    expect(usePlayground.getState().toolName).toBe('fx__echo');
    const entry = await usePlayground.getState().run({ text: 'hi' });
    expect(gw.calls.at(-1)).toEqual({ method: 'tools.call', input: { slug: 'dev', name: 'fx__echo', arguments: { text: 'hi' } } });
    expect(entry.outcome?.latencyMs).toBe(1.5);
    gw.handle('tools.call', () => {
      throw Object.assign(new Error('server "fx" is failed'), { code: 'unavailable' });
    });
    expect((await usePlayground.getState().run({})).failure).toBe('server "fx" is failed');
    expect(usePlayground.getState().history).toHaveLength(2);
  });
});

describe('dashboard series', () => {
  it('picks whole hours or minutes per range', () => {
    expect(stepFor('1h')).toBe(300);
    expect(stepFor('24h')).toBe(3600);
    expect(stepFor('7d')).toBe(6 * 3600);
    expect(stepFor('90d')).toBe(72 * 3600);
  });
  it('fills empty bins with zero calls', () => {
    const step = 3_600_000;
    const filled = fillSeries([{ t: 2 * step, calls: 3, errors: 1, p50: 1, p95: 2, p99: 3 }], step, 4 * step, step);
    expect(filled.map((p) => [p.t / step, p.calls])).toEqual([
      [1, 0],
      [2, 3],
      [3, 0],
    ]);
  });
});
