/** Error codes carried over the wire (admin API, IPC). HTTP status is derived from the code. */
export const errorCodes = [
  'bad_request',
  'invalid_input',
  'invalid_cursor',
  'unknown_method',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface WireError {
  code: ErrorCode;
  message: string;
  data?: unknown;
}

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

const statusByCode: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_input: 400,
  invalid_cursor: 400,
  unknown_method: 404,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unavailable: 503,
  internal: 500,
};

export function httpStatusFor(code: ErrorCode): number {
  return statusByCode[code];
}

/** A failure that handlers throw on purpose; the dispatcher turns it into a WireError value. */
export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}
