import { errorCodes, GatewayError, type ErrorCode, type WireResult } from './errors.js';
import type { GatewayEventListener } from './bridge.js';
import { methods, type MethodInput, type MethodName, type MethodOutput } from './methods.js';

/**
 * A transport-agnostic typed client of the contract: the IPC bridge and the browser's HTTP
 * transport both reduce to `call(method, input) → WireResult`. No Node or DOM dependencies.
 */
export interface ContractTransport {
  call(method: string, input: unknown): Promise<WireResult<unknown>>;
  onEvent(listener: GatewayEventListener): () => void;
}

export interface ContractClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  onEvent(listener: GatewayEventListener): () => void;
}

export function createContractClient(transport: ContractTransport): ContractClient {
  return {
    async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
      const wire = normalizeWireResult(await transport.call(method, input));
      if (!wire.ok) throw new GatewayError(wire.error.code, wire.error.message, wire.error.data);
      const output = methods[method].output.safeParse(wire.value);
      if (!output.success) {
        const issue = output.error.issues[0];
        const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
        throw new GatewayError('internal', `unexpected result of ${method}${where}: ${issue?.message ?? 'invalid'}`);
      }
      return output.data as MethodOutput<M>;
    },
    onEvent: (listener) => transport.onEvent(listener),
  };
}

/** Anything that claims to be a WireResult, checked: unknown codes become `internal`. */
export function normalizeWireResult(body: unknown): WireResult<unknown> {
  if (typeof body === 'object' && body !== null && 'ok' in body) {
    if (body.ok === true && 'value' in body) return { ok: true, value: body.value };
    if (body.ok === false && 'error' in body && typeof body.error === 'object' && body.error !== null) {
      const error = body.error as Record<string, unknown>;
      const code: ErrorCode = errorCodes.includes(error['code'] as ErrorCode) ? (error['code'] as ErrorCode) : 'internal';
      const message = typeof error['message'] === 'string' ? error['message'] : `gateway error (${String(error['code'])})`;
      return { ok: false, error: { code, message, ...(error['data'] === undefined ? {} : { data: error['data'] }) } };
    }
  }
  return { ok: false, error: { code: 'internal', message: 'malformed answer from the gateway' } };
}
