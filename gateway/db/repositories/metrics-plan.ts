import type { QueryPlan } from './metrics-queries.js';

/** Query planning for metrics-queries.ts: which source (daily, hourly, raw) serves which span. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
export const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;

/** [a, b) minus [c, d) as up to two intervals (ms). */
function subtract(a: number, b: number, c: number, d: number): Array<[number, number]> {
  if (d <= c) return a < b ? [[a, b]] : [];
  const out: Array<[number, number]> = [];
  if (a < Math.min(b, c)) out.push([a, Math.min(b, c)]);
  if (Math.max(a, d) < b) out.push([Math.max(a, d), b]);
  return out;
}

/** Which source serves which part of [from, to) for bins of `stepSeconds` (null: one bin). */
export function planSources(from: Date, to: Date, stepSeconds: number | null): QueryPlan {
  const a = from.getTime();
  const b = to.getTime();
  const stepMs = stepSeconds === null ? null : stepSeconds * 1000;
  const hourBins = stepMs === null || stepMs % HOUR_MS === 0;
  const dayBins = stepMs === null || stepMs % DAY_MS === 0;
  let hs = 0;
  let he = 0;
  if (hourBins) {
    hs = ceilTo(a, HOUR_MS);
    he = floorTo(b, HOUR_MS);
  }
  if (he <= hs) {
    hs = 0;
    he = 0;
  }
  let ds = 0;
  let de = 0;
  if (dayBins && he > hs) {
    ds = ceilTo(hs, DAY_MS);
    de = floorTo(he, DAY_MS);
    if (de <= ds) {
      ds = 0;
      de = 0;
    }
  }
  const toDates = (list: Array<[number, number]>) => list.map(([x, y]) => [new Date(x), new Date(y)] as [Date, Date]);
  return {
    daily: de > ds ? [[new Date(ds), new Date(de)]] : [],
    hourly: he > hs ? toDates(subtract(hs, he, ds, de)) : [],
    raw: toDates(subtract(a, b, hs, he)),
    rawTail: he > hs ? [new Date(hs), new Date(he)] : null,
  };
}
