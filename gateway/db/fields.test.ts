import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../contract/errors.js';
import { LATENCY_BUCKET_COUNT, LATENCY_BUCKET_UPPER_MS, latencyBucketIndex, percentileFromHistogram } from './latency-buckets.js';
import { decodePresetCursor, encodePresetCursor } from './repositories/preset-cursor.js';
import { presetFieldsFromSpec } from './repositories/preset-fields.js';
import { serverFieldsFromSpec } from './repositories/servers.js';
import { decryptJson, encryptJson, loadOrCreateSecretKey } from './secret-box.js';

describe('serverFieldsFromSpec', () => {
  it('infers the transport and fills defaults', () => {
    expect(serverFieldsFromSpec({ command: 'npx', args: ['-y', 'x'] })).toEqual({
      transport: 'stdio',
      command: 'npx',
      args: ['-y', 'x'],
      env: {},
      cwd: null,
      url: null,
      headers: {},
      enabled: true,
      timeoutMs: null,
    });
    expect(serverFieldsFromSpec({ url: 'https://x.test/mcp' }).transport).toBe('http');
    expect(serverFieldsFromSpec({ url: 'https://x.test/sse', type: 'sse' }).transport).toBe('sse');
    expect(serverFieldsFromSpec({ url: 'https://x.test/mcp', type: 'streamable-http' }).transport).toBe('http');
    expect(serverFieldsFromSpec({ url: 'https://x.test/mcp', type: 'sse', transport: 'http' }).transport).toBe('http');
    expect(serverFieldsFromSpec({ command: 'x', type: 'weird' }).transport).toBe('stdio');
  });
});

describe('presetFieldsFromSpec', () => {
  it('maps binding shorthands and object form', () => {
    const f = presetFieldsFromSpec(
      { servers: { a: true, b: false, c: { tools: ['t1'], toolTimeouts: { t1: 5000 }, prefix: 'cc' } } },
      undefined,
      'dev',
    );
    expect(f.name).toBe('dev');
    expect(f.visibility).toBe('public');
    expect(f.status).toBe('active');
    expect(f.servers).toEqual([
      { serverName: 'a', enabled: true, allowedTools: [], toolTimeouts: {}, toolOverrides: {}, prefix: null },
      { serverName: 'b', enabled: false, allowedTools: [], toolTimeouts: {}, toolOverrides: {}, prefix: null },
      { serverName: 'c', enabled: true, allowedTools: ['t1'], toolTimeouts: { t1: 5000 }, toolOverrides: {}, prefix: 'cc' },
    ]);
  });

  it('keeps existing values for omitted fields and dedupes the ACL', () => {
    const existing = presetFieldsFromSpec({ name: 'Dev', description: 'd', servers: { a: true } });
    const f = presetFieldsFromSpec(
      { visibility: 'private', acl: [{ type: 'user', value: 'b' }, { type: 'user', value: 'a' }, { type: 'user', value: 'b' }] },
      existing,
    );
    expect(f).toMatchObject({ name: 'Dev', description: 'd', visibility: 'private', servers: existing.servers });
    expect(f.acl).toEqual([{ type: 'user', value: 'a' }, { type: 'user', value: 'b' }]);
  });
});

describe('preset cursor', () => {
  it('round-trips and rejects anything else with invalid_cursor', () => {
    const c = { createdAt: new Date('2025-01-02T03:04:05.678Z'), id: '0b7c2f0e-8d1a-4a57-9a57-3f2b1c0d9e8f' };
    expect(decodePresetCursor(encodePresetCursor(c))).toEqual(c);
    for (const bad of ['', 'not a cursor!', 'e30', Buffer.from('["x","y"]').toString('base64url')]) {
      expect(() => decodePresetCursor(bad)).toThrowError(GatewayError);
      try {
        decodePresetCursor(bad);
      } catch (e) {
        expect((e as GatewayError).code).toBe('invalid_cursor');
      }
    }
  });
});

describe('secret box', () => {
  it('encrypts with a fresh IV each time and detects a wrong key or tampering', () => {
    const key = loadOrCreateSecretKey(null);
    const a = encryptJson({ TOKEN: 't' }, key);
    expect(a).not.toBe(encryptJson({ TOKEN: 't' }, key));
    expect(decryptJson(a, key)).toEqual({ TOKEN: 't' });
    expect(() => decryptJson(a, loadOrCreateSecretKey(null))).toThrow(/cannot decrypt/);
    const parts = a.split('.');
    parts[3] = Buffer.from('{"TOKEN":"u"}').toString('base64url');
    expect(() => decryptJson(parts.join('.'), key)).toThrow(/cannot decrypt/);
  });

  it('creates the key file 0600 once and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpgw-key-'));
    try {
      const k1 = loadOrCreateSecretKey(dir);
      expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
      expect(loadOrCreateSecretKey(dir).equals(k1)).toBe(true);
      writeFileSync(join(dir, 'secret.key'), 'short');
      expect(() => loadOrCreateSecretKey(dir)).toThrow(/32-byte/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('latency buckets', () => {
  it('places latencies in their bucket and reads percentiles back within 1.5 %', () => {
    expect(latencyBucketIndex(0)).toBe(0);
    expect(latencyBucketIndex(0.01)).toBe(0);
    expect(latencyBucketIndex(0.0101)).toBe(1);
    expect(latencyBucketIndex(1e9)).toBe(LATENCY_BUCKET_COUNT - 1);
    for (const ms of [0.3, 1, 7.5, 42, 1000, 30_000, 599_000]) {
      const i = latencyBucketIndex(ms);
      expect(ms).toBeLessThanOrEqual(LATENCY_BUCKET_UPPER_MS[i]!);
      expect(ms).toBeGreaterThan(LATENCY_BUCKET_UPPER_MS[i - 1] ?? 0);
      expect(LATENCY_BUCKET_UPPER_MS[i]! / (LATENCY_BUCKET_UPPER_MS[i - 1] ?? 0)).toBeCloseTo(1.03, 10);
    }
    const hist = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
    for (let ms = 1; ms <= 100; ms++) hist[latencyBucketIndex(ms)]!++;
    expect(percentileFromHistogram(hist, 0.5)).toBeGreaterThan(50 * 0.985);
    expect(percentileFromHistogram(hist, 0.5)).toBeLessThan(50 * 1.015);
    expect(percentileFromHistogram(new Array<number>(LATENCY_BUCKET_COUNT).fill(0), 0.5)).toBeNull();
  });
});
