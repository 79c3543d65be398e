import { hostname, userInfo } from 'node:os';
import { GatewayError } from '../contract/errors.js';

/** Small helpers of desktop sync: retry pacing, error classes, what is shown of a URL, the default member name. */

/** Exponential backoff with jitter, capped: 1 s, 2 s, 4 s, … up to maxMs. */
export function backoff(failures: number, maxMs: number): number {
  const base = Math.min(maxMs, 1000 * 2 ** Math.min(failures - 1, 16));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

/** Errors that mean "cannot reach the team database" rather than "it said no". */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003'].includes(code)) {
    return true;
  }
  const message = error instanceof Error ? error.message : String(error);
  return /timeout|terminated|Connection ended|connect|ECONNRESET|socket/i.test(message);
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export function defaultMember(): string {
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // no user database entry (containers): keep the default
  }
  return `${user}@${hostname()}`.replace(/[^A-Za-z0-9._@-]/g, '-').slice(0, 100);
}

/** Whether two postgres:// URLs name the same database (host, port and name; not who connects). */
export function sameDatabase(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname;
  } catch {
    return a === b;
  }
}

/** A failure to reach or read the team database, said as such (HTTP 503). */
export async function unavailableOnError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('unavailable', `the team database cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
}
