/**
 * Desktop sync benchmark (not a test): two real `serve` processes with their own embedded
 * databases syncing through the machine's PostgreSQL, plus one without sync as the baseline for
 * admin writes. Prints a table. Needs PostgreSQL at MCP_GATEWAY_TEST_PG_URL (default local).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createScratchDatabase } from '../../gateway/db/postgres.js';
import { removeDir, startGateway, tempDataDir, type GatewayProcess } from '../support/gateway-process.js';
import { fixturePath } from '../support/paths.js';
import { printTable } from './presets-bench.js';

const ADMIN_URL = process.env['MCP_GATEWAY_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const PRESETS = 200;
const SERVERS = 10;
const WRITES = 30;
const INTERVAL_MS = 1_000;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function start(name: string, syncUrl: string | null): Promise<GatewayProcess> {
  const dataDir = await tempDataDir();
  const settings = join(dataDir, 'settings.json');
  await writeFile(settings, JSON.stringify({ gateway: { syncIntervalMs: INTERVAL_MS } }));
  const sync = syncUrl ? ['--sync-url', syncUrl, '--sync-member', name] : [];
  return startGateway({ dataDir, args: ['--config', settings, ...sync] });
}

export async function runSyncBench(): Promise<Array<[string, string]>> {
  const scratch = await createScratchDatabase(ADMIN_URL, 'mcpgw_syncbench');
  const gateways: GatewayProcess[] = [];
  try {
    // alice and bob join the team after alice shared her presets: the first cycles are measured alone.
    const [alice, bob, plain] = await Promise.all([start('alice', null), start('bob', null), start('plain', null)]);
    gateways.push(alice, bob, plain);
    const servers = Object.fromEntries(
      Array.from({ length: SERVERS }, (_, i) => [`s${i}`, { command: process.execPath, args: [fixturePath, 'stdio'], env: { TOKEN: `secret-${i}` } }]),
    );
    const presets = Object.fromEntries(
      Array.from({ length: PRESETS }, (_, i) => [`p${i}`, { description: `preset ${i}`, servers: { [`s${i % SERVERS}`]: { tools: ['echo'] } } }]),
    );
    await Promise.all([alice, plain].map((gw) => gw.api('config.apply', { config: { servers, presets } })));

    const rows: Array<[string, string]> = [['seeded on alice', `${PRESETS} presets over ${SERVERS} stdio servers`]];
    const shareMs: number[] = [];
    for (let i = 0; i < PRESETS; i++) shareMs.push(await timed(() => alice.api('sync.share', { slug: `p${i}` })));
    rows.push([`sync.share (offline: into the outbox), median of ${PRESETS}`, ms(median(shareMs))]);
    const join = (gw: GatewayProcess, member: string) => async () => {
      await gw.api('sync.configure', { url: scratch.url, member });
      await gw.api('sync.now'); // waits for the cycle configure started, then runs one more
    };
    rows.push([`alice joins: migrate the team database, publish ${PRESETS} presets`, ms(await timed(join(alice, 'alice')))]);
    rows.push([`bob joins: pull and apply ${PRESETS} presets`, ms(await timed(join(bob, 'bob')))]);
    const pulled = (await bob.api<{ items: unknown[] }>('presets.list', { limit: 200 })).items.length;
    rows.push(['presets on bob after it', String(pulled)]);

    const idle: number[] = [];
    for (let i = 0; i < 10; i++) idle.push(await timed(() => alice.api('sync.now')));
    rows.push([`idle cycle (${PRESETS} shared, nothing new), median of 10`, ms(median(idle))]);

    // An admin write pays for recording its outbox entry before it is acknowledged.
    const write = (gw: GatewayProcess, i: number) => gw.api('config.apply', { config: { presets: { p7: { description: `edit ${i}` } } } });
    const withSync: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < WRITES; i++) {
      without.push(await timed(() => write(plain, i)));
      withSync.push(await timed(() => write(alice, i)));
    }
    rows.push([`admin write, no sync (median of ${WRITES})`, ms(median(without))]);
    rows.push([`admin write of a shared preset, with sync`, `${ms(median(withSync))} (${(median(withSync) / median(without)).toFixed(2)}x)`]);

    // End to end with the timers only: an edit on alice until bob serves it.
    const propagation: number[] = [];
    for (let i = 0; i < 5; i++) {
      const text = `propagated ${i}`;
      const started = performance.now();
      await alice.api('config.apply', { config: { presets: { p3: { description: text } } } });
      for (;;) {
        const got = await bob.api<{ description: string }>('presets.get', { slug: 'p3' });
        if (got.description === text) break;
        if (performance.now() - started > 20_000) throw new Error('no propagation within 20 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      propagation.push(performance.now() - started);
    }
    rows.push([`edit on alice until bob has it (timers, interval ${INTERVAL_MS} ms), median of 5`, ms(median(propagation))]);
    return rows;
  } finally {
    for (const gw of gateways) {
      await gw.stop();
      await removeDir(gw.dataDir);
    }
    await scratch.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('Desktop sync: two gateways through PostgreSQL', await runSyncBench());
}
