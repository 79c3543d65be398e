import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../gateway/config/load.js';

describe('team mode settings', () => {
  it('come from flags, env and the file, flags winning', async () => {
    const defaults = await loadGatewayConfig({ flags: { dataDir: '/tmp/x' }, env: {} });
    expect(defaults).toMatchObject({ databaseUrl: null, readReplicaUrl: null, redisUrl: null, redisKeyPrefix: 'mcpgw:', dbPoolMax: 10 });

    const fromEnv = await loadGatewayConfig({
      flags: { dataDir: '/tmp/x' },
      env: {
        MCP_GATEWAY_DATABASE_URL: 'postgres://env/db',
        MCP_GATEWAY_READ_REPLICA_URL: 'postgres://replica/db',
        MCP_GATEWAY_REDIS_URL: 'redis://env:6379',
      },
    });
    expect(fromEnv).toMatchObject({ databaseUrl: 'postgres://env/db', readReplicaUrl: 'postgres://replica/db', redisUrl: 'redis://env:6379' });

    const fromFlags = await loadGatewayConfig({
      flags: { dataDir: '/tmp/x', databaseUrl: 'postgres://flag/db', redisUrl: 'redis://flag:6379' },
      env: { MCP_GATEWAY_DATABASE_URL: 'postgres://env/db', MCP_GATEWAY_REDIS_URL: 'redis://env:6379' },
    });
    expect(fromFlags).toMatchObject({ databaseUrl: 'postgres://flag/db', redisUrl: 'redis://flag:6379' });
  });
});
