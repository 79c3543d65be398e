import { z } from 'zod';
import { GatewayError, type WireResult } from './errors.js';
import type { ContractTransport } from './client.js';

/**
 * Settings of the desktop app (Electron main keeps them in <userData>/settings.json and builds
 * the in-process gateway's config from them). Served only over IPC: a headless gateway is
 * configured by flags, environment and its config file instead.
 */
/** "<n> days", "<n> months" or "forever" (the gateway config's retention format). */
export const retentionSchema = z
  .string()
  .regex(/^\s*(forever|never|\d+\s*(d|day|days|m|mo|month|months))\s*$/i, 'expected "<n> days", "<n> months" or "forever"');

export const desktopSettingsSchema = z.object({
  host: z.string().min(1).max(255),
  port: z.number().int().min(0).max(65535),
  dataDir: z.string().min(1).max(4096),
  defaultToolTimeoutMs: z.number().int().positive().max(3_600_000),
  restartBaseMs: z.number().int().positive().max(600_000),
  restartMaxMs: z.number().int().positive().max(3_600_000),
  breakerFailureThreshold: z.number().int().positive().max(1000),
  breakerCooldownMs: z.number().int().positive().max(3_600_000),
  cacheMaxEntries: z.number().int().positive().max(1_000_000),
  cacheMaxBytes: z.number().int().positive().max(16 * 1024 * 1024 * 1024),
  metricsFlushMs: z.number().int().positive().max(60_000),
  metricsRawRetention: retentionSchema,
  metricsRollupRetention: retentionSchema,
  launchAtLogin: z.boolean(),
});
export type DesktopSettings = z.infer<typeof desktopSettingsSchema>;

export const desktopMethods = {
  'desktop.settings.get': {
    input: z.object({}),
    output: z.object({ settings: desktopSettingsSchema, defaults: desktopSettingsSchema, file: z.string() }),
  },
  'desktop.settings.update': {
    input: z.object({ settings: desktopSettingsSchema.partial() }),
    output: z.object({ settings: desktopSettingsSchema, restarted: z.boolean(), url: z.string() }),
  },
} as const;

export type DesktopMethods = typeof desktopMethods;
export type DesktopMethodName = keyof DesktopMethods;
export type DesktopMethodInput<M extends DesktopMethodName> = z.input<DesktopMethods[M]['input']>;
export type DesktopMethodOutput<M extends DesktopMethodName> = z.output<DesktopMethods[M]['output']>;

export function isDesktopMethodName(name: string): name is DesktopMethodName {
  return Object.prototype.hasOwnProperty.call(desktopMethods, name);
}

/** Typed calls of the desktop methods over the same transport (the IPC bridge). */
export async function callDesktop<M extends DesktopMethodName>(
  transport: Pick<ContractTransport, 'call'>,
  method: M,
  input: DesktopMethodInput<M>,
): Promise<DesktopMethodOutput<M>> {
  const wire: WireResult<unknown> = await transport.call(method, input);
  if (!wire.ok) throw new GatewayError(wire.error.code, wire.error.message, wire.error.data);
  const parsed = desktopMethods[method].output.safeParse(wire.value);
  if (!parsed.success) throw new GatewayError('internal', `unexpected result of ${method}`);
  return parsed.data as DesktopMethodOutput<M>;
}
