import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gatewayConfigSchema, type GatewayConfig } from '../gateway/config/schema.js';
import { desktopSettingsSchema, type DesktopSettings } from '../gateway/contract/index.js';

/** Settings that change how the gateway runs: changing one restarts it. */
export const RESTART_KEYS = [
  'host',
  'port',
  'dataDir',
  'defaultToolTimeoutMs',
  'restartBaseMs',
  'restartMaxMs',
  'breakerFailureThreshold',
  'breakerCooldownMs',
  'cacheMaxEntries',
  'cacheMaxBytes',
  'metricsFlushMs',
  'metricsRawRetention',
  'metricsRollupRetention',
] as const satisfies ReadonlyArray<keyof DesktopSettings & keyof GatewayConfig>;

export function defaultSettings(userData: string): DesktopSettings {
  const base = gatewayConfigSchema.parse({ dataDir: path.join(userData, 'gateway') });
  return {
    host: base.host,
    port: base.port,
    dataDir: base.dataDir as string,
    defaultToolTimeoutMs: base.defaultToolTimeoutMs,
    restartBaseMs: base.restartBaseMs,
    restartMaxMs: base.restartMaxMs,
    breakerFailureThreshold: base.breakerFailureThreshold,
    breakerCooldownMs: base.breakerCooldownMs,
    cacheMaxEntries: base.cacheMaxEntries,
    cacheMaxBytes: base.cacheMaxBytes,
    metricsFlushMs: base.metricsFlushMs,
    metricsRawRetention: base.metricsRawRetention,
    metricsRollupRetention: base.metricsRollupRetention,
    launchAtLogin: false,
  };
}

export function settingsFile(userData: string): string {
  return path.join(userData, 'settings.json');
}

/**
 * The saved settings over the defaults. A missing file means defaults; a damaged one is kept
 * aside (`settings.json.broken`) so a typo never stops the app from starting.
 */
export async function loadSettings(userData: string, log?: (line: string) => void): Promise<DesktopSettings> {
  const defaults = defaultSettings(userData);
  const file = settingsFile(userData);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return defaults;
    throw error;
  }
  try {
    const saved = desktopSettingsSchema.partial().parse(JSON.parse(text));
    return desktopSettingsSchema.parse({ ...defaults, ...saved });
  } catch (error) {
    log?.(`settings: ${file} is not valid (${error instanceof Error ? error.message : String(error)}); using defaults`);
    await fs.rename(file, `${file}.broken`).catch(() => undefined);
    return defaults;
  }
}

export async function saveSettings(userData: string, settings: DesktopSettings): Promise<void> {
  const file = settingsFile(userData);
  await fs.mkdir(userData, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(temp, file);
}

/** Validated merge; throws a one-line error naming the bad field. */
export function mergeSettings(current: DesktopSettings, changes: Partial<DesktopSettings>): DesktopSettings {
  const parsed = desktopSettingsSchema.safeParse({ ...current, ...changes });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw Object.assign(new Error(`${issue?.path.join('.') ?? 'settings'}: ${issue?.message ?? 'invalid'}`), { code: 'invalid_input' });
  }
  if (parsed.data.restartMaxMs < parsed.data.restartBaseMs) {
    throw Object.assign(new Error('restartMaxMs: must not be below restartBaseMs'), { code: 'invalid_input' });
  }
  return parsed.data;
}

export function needsRestart(before: DesktopSettings, after: DesktopSettings): boolean {
  return RESTART_KEYS.some((key) => before[key] !== after[key]);
}

export function toGatewayConfig(settings: DesktopSettings): GatewayConfig {
  const picked = Object.fromEntries(RESTART_KEYS.map((key) => [key, settings[key]]));
  return gatewayConfigSchema.parse(picked);
}
