/** `npm run bench`: every hot-path and storage benchmark, one run, numbers printed. */
import { runProxyBench } from './proxy-bench.js';
import { runScenariosBench } from './scenarios-bench.js';
import { printTable, runPresetsBench } from './presets-bench.js';
import { runSyncBench } from './sync-bench.js';

await runProxyBench();
await runScenariosBench();
printTable('Storage: 1,000 presets × 10 servers (PGlite in its own process)', await runPresetsBench());
printTable('Desktop sync: two gateways through PostgreSQL', await runSyncBench());
