import { describe, expect, it } from 'vitest';
import type { PresetWithServers, ServerRecord } from '../db/records.js';
import { asSharedDoc, buildSharedDoc, configFromDoc, docHash, missingSecrets } from './preset-doc.js';

const server = (name: string, env: Record<string, string>, headers: Record<string, string> = {}): ServerRecord => ({
  id: `id-${name}`,
  ownerId: 'local',
  name,
  transport: 'stdio',
  command: 'node',
  args: ['server.js'],
  env,
  cwd: null,
  url: null,
  headers,
  enabled: true,
  timeoutMs: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

const preset: PresetWithServers = {
  id: 'p1',
  ownerId: 'local',
  slug: 'tools',
  name: 'Tools',
  description: 'shared',
  visibility: 'public',
  status: 'active',
  version: 3,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  servers: [
    { serverId: 'id-gh', serverName: 'gh', enabled: true, allowedTools: ['search'], toolTimeouts: { search: 5000 }, toolOverrides: {}, prefix: null },
    { serverId: 'id-fs', serverName: 'fs', enabled: false, allowedTools: [], toolTimeouts: {}, toolOverrides: { read: { name: 'cat' } }, prefix: '' },
  ],
  acl: [{ type: 'email', value: 'dev@example.com' }],
};

const mine = new Map([
  ['gh', server('gh', { GITHUB_TOKEN: 'ghp_secret' }, { Authorization: 'Bearer x' })],
  ['fs', server('fs', {})],
]);

describe('shared preset documents', () => {
  it('carry the preset and its servers but only the names of secrets', () => {
    const doc = buildSharedDoc(preset, mine, false);
    const text = JSON.stringify(doc);
    expect(text).not.toContain('ghp_secret');
    expect(text).not.toContain('Bearer x');
    expect(doc.servers['gh']).toMatchObject({ command: 'node', args: ['server.js'], withheldEnv: ['GITHUB_TOKEN'], withheldHeaders: ['Authorization'] });
    expect(doc.preset.servers).toEqual({
      gh: { enabled: true, tools: ['search'], toolTimeouts: { search: 5000 }, toolOverrides: {} },
      fs: { enabled: false, tools: [], toolTimeouts: {}, toolOverrides: { read: { name: 'cat' } }, prefix: '' },
    });
    expect(asSharedDoc(JSON.parse(text))).toEqual(doc);
    expect(asSharedDoc({ format: 2 })).toBeNull();
  });

  it('carry secret values only when the user shares them', () => {
    const doc = buildSharedDoc(preset, mine, true);
    expect(doc.servers['gh']).toMatchObject({ env: { GITHUB_TOKEN: 'ghp_secret' }, headers: { Authorization: 'Bearer x' } });
    expect(doc.servers['gh']?.withheldEnv).toBeUndefined();
  });

  it('hash the content, not the key order', () => {
    const doc = buildSharedDoc(preset, mine, false);
    const reordered = JSON.parse(JSON.stringify({ servers: doc.servers, preset: doc.preset, format: 1 })) as unknown;
    expect(docHash(reordered)).toBe(docHash(doc));
    expect(docHash({ ...doc, preset: { ...doc.preset, description: 'changed' } })).not.toBe(docHash(doc));
  });

  it('apply on another machine keeping its own secret values and naming the missing ones', () => {
    const shared = buildSharedDoc(preset, mine, false);
    const elsewhere = new Map([['gh', server('gh', { GITHUB_TOKEN: 'their_own' })]]);
    const config = configFromDoc('tools', shared, elsewhere);
    expect(config.servers?.['gh']?.env).toEqual({ GITHUB_TOKEN: 'their_own' });
    expect(config.servers?.['fs']?.env).toEqual({});
    expect(config.presets?.['tools']).toEqual(shared.preset);
    expect(missingSecrets(shared, elsewhere)).toEqual(['gh: header Authorization']);
    expect(missingSecrets(shared, new Map())).toEqual(['gh: env GITHUB_TOKEN', 'gh: header Authorization']);

    // A shared value fills a gap but never replaces a value this machine has.
    const withSecrets = buildSharedDoc(preset, mine, true);
    expect(configFromDoc('tools', withSecrets, elsewhere).servers?.['gh']).toMatchObject({
      env: { GITHUB_TOKEN: 'their_own' },
      headers: { Authorization: 'Bearer x' },
    });
  });

  it('treat a working directory as a path of the publishing machine', () => {
    const withCwd = new Map([['gh', { ...server('gh', {}), cwd: '/definitely/not/here' }], ['fs', server('fs', {})]]);
    const shared = buildSharedDoc(preset, withCwd, false);
    expect(shared.servers['gh']?.cwd).toBe('/definitely/not/here');
    expect(configFromDoc('tools', shared, new Map()).servers['gh']?.cwd).toBeUndefined(); // not on this machine
    const here = new Map([['gh', { ...server('gh', {}), cwd: '/tmp' }]]);
    expect(configFromDoc('tools', shared, here).servers['gh']?.cwd).toBe('/tmp'); // kept
    const existing = buildSharedDoc(preset, new Map([['gh', { ...server('gh', {}), cwd: '/tmp' }]]), false);
    expect(configFromDoc('tools', existing, new Map()).servers['gh']?.cwd).toBe('/tmp'); // exists here: taken
  });
});
