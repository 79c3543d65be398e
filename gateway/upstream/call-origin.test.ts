import { describe, expect, it } from 'vitest';
import { pickOrigin, type CallOrigin } from './call-origin.js';

const call = (name: string, can: boolean, busy = false): CallOrigin & { name: string } => ({
  name,
  onServerRequest: async () => ({}),
  canAnswer: () => can,
  busy: () => busy,
});

describe('pickOrigin', () => {
  it('prefers the latest free call that can answer, then the latest free one, then the latest', () => {
    const [a, b, c] = [call('a', true), call('b', false), call('c', true, true)];
    expect(pickOrigin([a, b, c], 'sampling/createMessage')).toBe(a); // c waits already, b cannot answer
    expect(pickOrigin([c, b], 'sampling/createMessage')).toBe(b); // b refuses for its client
    expect(pickOrigin([c], 'sampling/createMessage')).toBe(c);
    expect(pickOrigin([], 'roots/list')).toBeUndefined();
  });
});
