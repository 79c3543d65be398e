import { z } from 'zod';

/** Server names become tool-name prefixes and CLI arguments: keep them short and shell-safe. */
export const serverNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'server names use lowercase letters, digits and "-" (1-63 chars)');

export const presetSlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'slugs use lowercase letters, digits and "-" (1-63 chars)');

export const transportSchema = z.enum(['stdio', 'http', 'sse']);
export type UpstreamTransport = z.infer<typeof transportSchema>;

export const visibilitySchema = z.enum(['public', 'private', 'invite_only']);
export type Visibility = z.infer<typeof visibilitySchema>;

const timeoutMs = z.number().int().positive().max(3_600_000);
const stringMap = z.record(z.string(), z.string());

/** One upstream server as users write it (config files, API, import). */
export const serverSpecSchema = z
  .object({
    transport: transportSchema.optional(),
    type: z.string().optional(), // VS Code / Cursor spelling of transport ("stdio", "http", "sse")
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: stringMap.optional(),
    cwd: z.string().optional(),
    url: z.url().optional(),
    headers: stringMap.optional(),
    enabled: z.boolean().optional(),
    timeoutMs: timeoutMs.optional(),
  })
  .refine((s) => Boolean(s.command) !== Boolean(s.url), {
    message: 'a server needs exactly one of "command" (stdio) or "url" (http/sse)',
  });
export type ServerSpec = z.infer<typeof serverSpecSchema>;

export const toolOverrideSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/).optional(),
  description: z.string().optional(),
});

export const presetServerBindingSchema = z.union([
  z.boolean(),
  z.object({
    enabled: z.boolean().optional(),
    tools: z.array(z.string()).optional(),
    toolTimeouts: z.record(z.string(), timeoutMs).optional(),
    toolOverrides: z.record(z.string(), toolOverrideSchema).optional(),
    prefix: z.string().regex(/^[a-zA-Z0-9_-]{0,32}$/).optional(),
  }),
]);
export type PresetServerBinding = z.infer<typeof presetServerBindingSchema>;

export const aclEntrySchema = z.object({
  type: z.enum(['user', 'email', 'domain', 'token']),
  value: z.string().min(1),
});

export const presetSpecSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  description: z.string().max(4000).optional(),
  visibility: visibilitySchema.optional(),
  status: z.enum(['active', 'disabled']).optional(),
  servers: z.record(z.string(), presetServerBindingSchema).optional(),
  acl: z.array(aclEntrySchema).optional(),
});
export type PresetSpec = z.infer<typeof presetSpecSchema>;

/** The declarative file of `serve --config` and `apply`. `mcpServers` is an alias of `servers`. */
export const declarativeConfigSchema = z
  .object({
    servers: z.record(serverNameSchema, serverSpecSchema).optional(),
    mcpServers: z.record(serverNameSchema, serverSpecSchema).optional(),
    presets: z.record(presetSlugSchema, presetSpecSchema).optional(),
  })
  .transform(({ servers, mcpServers, presets }) => ({
    servers: { ...(mcpServers ?? {}), ...(servers ?? {}) },
    presets: presets ?? {},
  }));
export type DeclarativeConfig = z.output<typeof declarativeConfigSchema>;
export type DeclarativeConfigInput = z.input<typeof declarativeConfigSchema>;
