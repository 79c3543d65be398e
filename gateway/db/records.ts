import type { UpstreamTransport, Visibility } from '../contract/index.js';

/**
 * Domain records the repositories return. Secrets (env values, headers) are decrypted here;
 * they are encrypted only at rest. Dates are Date objects; ids are uuid strings.
 */
export interface ServerRecord {
  id: string;
  ownerId: string;
  name: string;
  transport: UpstreamTransport;
  command: string | null;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  url: string | null;
  headers: Record<string, string>;
  enabled: boolean;
  timeoutMs: number | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The fields a user controls; what create/update write (the name is the key, passed apart). */
export type ServerFields = Omit<ServerRecord, 'id' | 'ownerId' | 'name' | 'createdAt' | 'updatedAt'>;

export interface ToolOverride {
  name?: string;
  description?: string;
}

export interface PresetBinding {
  serverId: string;
  serverName: string;
  enabled: boolean;
  /** Empty means every tool of the server. */
  allowedTools: string[];
  toolTimeouts: Record<string, number>;
  toolOverrides: Record<string, ToolOverride>;
  /** null: the server's name; "": no prefix; otherwise this prefix. */
  prefix: string | null;
}

export interface AclEntry {
  type: 'user' | 'email' | 'domain' | 'token';
  value: string;
}

export interface PresetRecord {
  id: string;
  ownerId: string;
  slug: string;
  name: string;
  description: string;
  visibility: Visibility;
  status: 'active' | 'disabled';
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PresetWithServers extends PresetRecord {
  servers: PresetBinding[];
  acl: AclEntry[];
}

/** The fields a user controls on a preset; bindings name servers by name. */
export interface PresetFields {
  name: string;
  description: string;
  visibility: Visibility;
  status: 'active' | 'disabled';
  servers: Array<Omit<PresetBinding, 'serverId'>>;
  acl: AclEntry[];
}

export type MetricStatus = 'ok' | 'error' | 'timeout' | 'rejected';

export interface MetricEvent {
  ts: Date;
  presetId: string | null;
  serverId: string | null;
  toolName: string | null;
  /** e.g. tools/call, tools/list, prompts/get, resources/read */
  eventType: string;
  status: MetricStatus;
  latencyMs: number;
  errorMessage: string | null;
  sessionId: string | null;
  metadata: Record<string, unknown> | null;
}

export interface Page<T> {
  items: T[];
  pagination: { nextCursor: string | null; hasMore: boolean; limit: number };
}

/** The single local owner of the desktop/headless gateway; team mode adds real users. */
export const LOCAL_OWNER_ID = 'local';

/** An access token as stored: the token itself is never kept, only its hash. */
export interface AccessTokenRecord {
  id: string;
  /** Who the token speaks for: a user id, an email, or LOCAL_OWNER_ID for the owner. */
  principal: string;
  /** Preset slugs it may open; null = every preset its principal may open. */
  presetScope: string[] | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface AuditEntry {
  ts?: Date;
  actor: string;
  action: string;
  target: string | null;
  outcome: 'ok' | 'denied' | 'error';
  detail: Record<string, unknown> | null;
}

export interface AuditRecord extends Required<AuditEntry> {
  id: number;
}
