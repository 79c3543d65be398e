import { errorCodes, GatewayError, type ErrorCode, type WireResult } from '../contract/errors.js';
import { methods, type MethodInput, type MethodName, type MethodOutput } from '../contract/methods.js';

/**
 * Typed client of the admin HTTP binding (`POST {url}/api/{method}`), derived from the contract.
 * Wire errors come back as GatewayError with the wire code; transport failures as plain Errors
 * whose message a CLI can print as is.
 */

export interface ApiClientOptions {
  /** Base URL of the gateway, e.g. http://127.0.0.1:7337 (a trailing slash is fine). */
  url: string;
  /** Admin token, sent as `Authorization: Bearer <token>`. */
  token?: string | undefined;
  fetch?: typeof fetch;
  /** Per-call timeout (default 120 s; config.apply may start servers). 0 disables it. */
  timeoutMs?: number;
}

export interface ApiClient {
  readonly url: string;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = normalizeBaseUrl(options.url);
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 120_000;

  async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    let response: Response;
    let text: string;
    try {
      response = await fetchFn(`${base}/api/${method}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(input),
        signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : null,
      });
      text = await response.text();
    } catch (error) {
      throw transportError(error, base, timeoutMs);
    }

    const wire = parseWireResult(text);
    if (!wire) {
      const hint =
        response.status === 404 ? ` (is ${base} an MCP Gateway?)` : response.ok ? '' : `: ${snippet(text) || response.statusText}`;
      throw new Error(`unexpected response from ${base}/api/${method}: HTTP ${response.status}${hint}`);
    }
    if (!wire.ok) throw new GatewayError(wire.error.code, wire.error.message, wire.error.data);

    const output = methods[method].output.safeParse(wire.value);
    if (!output.success) {
      const issue = output.error.issues[0];
      const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
      throw new Error(
        `unexpected result of ${method} from ${base}${where}: ${issue?.message ?? 'invalid'} ` +
          `(do this CLI and the running gateway have the same version?)`,
      );
    }
    return output.data as MethodOutput<M>;
  }

  return { url: base, call };
}

function parseWireResult(text: string): WireResult<unknown> | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null || !('ok' in body)) return null;
  if (body.ok === true && 'value' in body) return { ok: true, value: body.value };
  if (body.ok === false && 'error' in body && typeof body.error === 'object' && body.error !== null) {
    const error = body.error as Record<string, unknown>;
    const code: ErrorCode = errorCodes.includes(error['code'] as ErrorCode) ? (error['code'] as ErrorCode) : 'internal';
    const message = typeof error['message'] === 'string' ? error['message'] : `gateway error (${String(error['code'])})`;
    return { ok: false, error: { code, message, data: error['data'] } };
  }
  return null;
}

function transportError(error: unknown, base: string, timeoutMs: number): Error {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new Error(`the gateway at ${base} did not answer within ${Math.round(timeoutMs / 1000)} s`);
  }
  if (isNetworkError(error)) return new Error(unreachableMessage(base));
  return new Error(`request to ${base} failed: ${error instanceof Error ? error.message : String(error)}`);
}

export function unreachableMessage(base: string): string {
  return `cannot reach the gateway at ${base} (is \`mcp-gateway serve\` running?)`;
}

/** Connection-level failures (refused, reset, DNS…), as undici reports them in `cause`. */
export function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    const nested = (e as { errors?: unknown }).errors; // AggregateError: one per address tried
    if (Array.isArray(nested) && nested.some((inner) => isNetworkError(inner))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return error instanceof TypeError && error.message === 'fetch failed';
}

export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid gateway URL '${url}' (expected e.g. http://127.0.0.1:7337)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`invalid gateway URL '${url}': only http and https are supported`);
  }
  return parsed.href.replace(/\/+$/, '');
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
