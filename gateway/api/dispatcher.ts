import { z } from 'zod';
import {
  GatewayError,
  isMethodName,
  methods,
  type MethodName,
  type MethodOutput,
  type MethodParsedInput,
  type WireResult,
} from '../contract/index.js';

/** One handler per contract method: a missing one is a compile error. */
export type Handlers = { [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>> };

export type Dispatch = (method: string, input: unknown) => Promise<WireResult<unknown>>;

/**
 * Validates input against the contract, runs the handler, and returns a value, never a throw:
 * the HTTP and IPC adapters only translate it.
 */
export function createDispatcher(handlers: Handlers, log?: (line: string) => void): Dispatch {
  return async (method, input) => {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'unknown_method', message: `unknown method "${method}"` } };
    }
    const parsed = methods[method].input.safeParse(input ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'invalid_input', message: formatIssues(parsed.error), data: parsed.error.issues } };
    }
    try {
      const handler = handlers[method] as (input: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof GatewayError) {
        return { ok: false, error: { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) } };
      }
      log?.(`api ${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { ok: false, error: { code: 'internal', message: error instanceof Error ? error.message : 'internal error' } };
    }
  };
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`)
    .join('; ');
}
