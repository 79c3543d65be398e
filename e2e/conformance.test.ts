import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startGateway, type GatewayProcess } from './support/gateway-process.js';
import {
  conformanceServerPath,
  failureReport,
  listServerScenarios,
  runScenario,
  startConformanceServer,
  summarize,
  type ConformanceServer,
  type Outcome,
  type ScenarioResult,
} from './support/conformance.js';

/**
 * The official conformance suite (@modelcontextprotocol/conformance 0.1.13, server mode) against
 * our fixture server, first directly over Streamable HTTP, then as a stdio upstream behind the
 * real gateway CLI at /mcp/<slug>. A gateway is transparent when every scenario ends the same way
 * both times. Every server scenario the suite lists runs, the pending ones (json-schema-2020-12,
 * server-sse-polling) and dns-rebinding-protection included; one CLI process per scenario and
 * target, in sequence, each killed after SCENARIO_TIMEOUT_MS, all within SUITE_BUDGET_MS.
 */

const SCENARIO_TIMEOUT_MS = 25_000;
/** All scenario runs of the file together stop starting new CLI runs after this (normally ~40 s). */
const SUITE_BUDGET_MS = 150_000;
const scenarios = listServerScenarios();

/**
 * Scenarios whose outcome through the gateway legitimately differs from the direct one, with why.
 * None: every scenario of 0.1.13 ends the same way through the gateway.
 */
const GATEWAY_EXCEPTIONS: Record<string, { gateway: Outcome; reason: string }> = {};

describe('MCP conformance suite: the fixture server directly and through the gateway', () => {
  let server: ConformanceServer;
  let gw: GatewayProcess;
  let gatewayUrl: string;
  let deadline = 0;
  /** A CLI run's time limit: the per-scenario one, cut to what is left of the file's budget. */
  const limit = (): number => {
    const left = deadline - Date.now();
    if (left < 2_000) throw new Error(`the conformance time budget (${SUITE_BUDGET_MS} ms) is spent: scenarios are hanging`);
    return Math.min(SCENARIO_TIMEOUT_MS, left);
  };
  const results = new Map<string, { direct?: ScenarioResult; gateway?: ScenarioResult }>();

  beforeAll(async () => {
    server = await startConformanceServer();
    gw = await startGateway();
    await gw.api('config.apply', {
      config: {
        servers: { conf: { command: process.execPath, args: [conformanceServerPath, 'stdio'] } },
        presets: { conf: { servers: { conf: { prefix: '' } } } },
      },
    });
    const readyBy = Date.now() + 20_000;
    let state = '';
    while ((state = (await gw.api<{ status: { state: string } }>('servers.get', { name: 'conf' })).status.state) !== 'ready') {
      if (Date.now() > readyBy) throw new Error(`the conformance upstream is ${state}, not ready:\n${gw.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    gatewayUrl = `${gw.url}/mcp/conf`;
    deadline = Date.now() + SUITE_BUDGET_MS;
  });

  afterAll(async () => {
    printTable(results);
    await server?.stop();
    if (gw) {
      const code = await gw.stop();
      await removeDir(gw.dataDir);
      expect(code).toBe(0);
    }
  });

  it('lists the server scenarios, dns-rebinding-protection included', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
    expect(scenarios).toContain('server-initialize');
    expect(scenarios).toContain('dns-rebinding-protection');
    for (const name of Object.keys(GATEWAY_EXCEPTIONS)) expect(scenarios).toContain(name);
  });

  for (const scenario of scenarios) {
    it(`${scenario}: same outcome through the gateway as directly`, async () => {
      const direct = await runScenario(server.url, scenario, { timeoutMs: limit() });
      results.set(scenario, { direct });
      const gateway = await runScenario(gatewayUrl, scenario, { timeoutMs: limit() });
      results.set(scenario, { direct, gateway });

      const expected = GATEWAY_EXCEPTIONS[scenario]?.gateway ?? direct.outcome;
      expect(gateway.outcome, `${scenario} through the gateway:\n${failureReport(gateway)}`).toBe(expected);
      // And the fixture server implements every fixture the scenario calls: directly, it passes.
      expect(direct.outcome, `direct run of ${scenario}:\n${failureReport(direct)}`).toBe('pass');
    }, 2 * SCENARIO_TIMEOUT_MS + 10_000);
  }
});

function printTable(results: Map<string, { direct?: ScenarioResult; gateway?: ScenarioResult }>): void {
  if (results.size === 0) return;
  const rows = [...results].map(([scenario, { direct, gateway }]) => {
    const same = direct && gateway && direct.outcome === gateway.outcome;
    const note = GATEWAY_EXCEPTIONS[scenario]?.reason ?? (same ? '' : 'DIFFERS');
    return [scenario, direct ? summarize(direct) : '—', gateway ? summarize(gateway) : '—', note];
  });
  const header = ['scenario', 'direct', 'gateway', ''];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ').trimEnd();
  const table = [line(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...rows.map(line)].join('\n');
  console.log(`\nMCP conformance (server scenarios): direct vs through the gateway\n${table}\n`);
}
