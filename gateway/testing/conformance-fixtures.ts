/**
 * The fixtures of the conformance server (conformance-server.ts): every tool, resource, template,
 * prompt and completion the MCP conformance suite's server scenarios call, written from the
 * scenario definitions.
 *
 * Tools are served from a literal table on the low-level request handlers (so every inputSchema is
 * exactly the JSON a scenario expects, e.g. the JSON Schema 2020-12 one); prompts, resources,
 * templates and completions use McpServer.
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CreateMessageResultSchema,
  ElicitResultSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** A 1x1 red pixel, RGB PNG. */
const RED_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC';

/** 10 ms of silence: 16-bit mono PCM WAV at 8 kHz. */
function silentWav(): string {
  const samples = 80;
  const data = samples * 2;
  const wav = Buffer.alloc(44 + data);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + data, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(8000, 24); // sample rate
  wav.writeUInt32LE(8000 * 2, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(data, 40);
  return wav.toString('base64');
}

const LOG_LEVELS: LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Args = Record<string, unknown>;

interface FixtureTool {
  definition: Tool;
  run(args: Args, extra: Extra): Promise<CallToolResult> | CallToolResult;
}

const noArgs = { type: 'object' as const, properties: {} };
const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

function requireString(args: Args, name: string): string {
  const value = args[name];
  if (typeof value !== 'string') throw new McpError(ErrorCode.InvalidParams, `argument "${name}" must be a string`);
  return value;
}

/** One session's fixtures. `logLevel` is this session's logging/setLevel (null: send everything). */
export function buildServer(): McpServer {
  let logLevel: LoggingLevel | null = null;
  const subscriptions = new Set<string>();

  const server = new McpServer(
    { name: 'mcp-conformance-fixtures', version: '1.0.0' },
    {
      capabilities: {
        tools: { listChanged: true },
        logging: {},
        completions: {},
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
      },
      instructions: 'Fixture server for the MCP conformance suite.',
    },
  );

  const log = async (extra: Extra, level: LoggingLevel, data: string): Promise<void> => {
    if (logLevel && LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(logLevel)) return;
    await extra.sendNotification({ method: 'notifications/message', params: { level, logger: 'conformance', data } });
  };

  const elicit = async (extra: Extra, message: string, requestedSchema: Record<string, unknown>): Promise<CallToolResult> => {
    const result = await extra.sendRequest({ method: 'elicitation/create', params: { message, requestedSchema } } as ServerRequest, ElicitResultSchema);
    return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
  };

  const tools: FixtureTool[] = [
    {
      definition: { name: 'test_simple_text', description: 'Returns simple text content', inputSchema: noArgs },
      run: () => text('This is a simple text response for testing.'),
    },
    {
      definition: { name: 'test_image_content', description: 'Returns image content (a 1x1 red PNG)', inputSchema: noArgs },
      run: () => ({ content: [{ type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' }] }),
    },
    {
      definition: { name: 'test_audio_content', description: 'Returns audio content (a short silent WAV)', inputSchema: noArgs },
      run: () => ({ content: [{ type: 'audio', data: silentWav(), mimeType: 'audio/wav' }] }),
    },
    {
      definition: { name: 'test_embedded_resource', description: 'Returns an embedded text resource', inputSchema: noArgs },
      run: () => ({
        content: [
          { type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } },
        ],
      }),
    },
    {
      definition: { name: 'test_multiple_content_types', description: 'Returns text, image and resource content', inputSchema: noArgs },
      run: () => ({
        content: [
          { type: 'text', text: 'Multiple content types test:' },
          { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' },
          {
            type: 'resource',
            resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) },
          },
        ],
      }),
    },
    {
      definition: { name: 'test_tool_with_logging', description: 'Sends three info log messages while it runs', inputSchema: noArgs },
      run: async (_args, extra) => {
        await log(extra, 'info', 'Tool execution started');
        await sleep(50);
        await log(extra, 'info', 'Tool processing data');
        await sleep(50);
        await log(extra, 'info', 'Tool execution completed');
        return text('Tool with logging executed successfully');
      },
    },
    {
      definition: { name: 'test_error_handling', description: 'Always fails (isError result)', inputSchema: noArgs },
      run: () => ({ isError: true, content: [{ type: 'text', text: 'This tool intentionally returns an error for testing' }] }),
    },
    {
      definition: { name: 'test_tool_with_progress', description: 'Reports progress 0, 50 and 100 of 100', inputSchema: noArgs },
      run: async (_args, extra) => {
        const progressToken = extra._meta?.progressToken;
        for (const progress of [0, 50, 100]) {
          if (progress > 0) await sleep(50);
          if (progressToken !== undefined) {
            await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total: 100, message: `${progress}%` } });
          }
        }
        return text('Tool with progress executed successfully');
      },
    },
    {
      definition: {
        name: 'test_sampling',
        description: 'Asks the client LLM (sampling/createMessage)',
        inputSchema: { type: 'object', properties: { prompt: { type: 'string', description: 'The prompt to send to the LLM' } }, required: ['prompt'] },
      },
      run: async (args, extra) => {
        const prompt = requireString(args, 'prompt');
        const result = await extra.sendRequest(
          { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 } },
          CreateMessageResultSchema,
        );
        const content = Array.isArray(result.content) ? result.content[0] : result.content;
        return text(`LLM response: ${content && content.type === 'text' ? content.text : JSON.stringify(content)}`);
      },
    },
    {
      definition: {
        name: 'test_elicitation',
        description: 'Asks the user for a username and an email (elicitation/create)',
        inputSchema: { type: 'object', properties: { message: { type: 'string', description: 'The message to show the user' } }, required: ['message'] },
      },
      run: async (args, extra) => {
        const result = await extra.sendRequest(
          {
            method: 'elicitation/create',
            params: {
              message: requireString(args, 'message'),
              requestedSchema: {
                type: 'object',
                properties: {
                  username: { type: 'string', description: "User's response" },
                  email: { type: 'string', description: "User's email address" },
                },
                required: ['username', 'email'],
              },
            },
          },
          ElicitResultSchema,
        );
        return text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
      },
    },
    {
      definition: { name: 'test_elicitation_sep1034_defaults', description: 'Elicitation with defaults for every primitive type (SEP-1034)', inputSchema: noArgs },
      run: (_args, extra) =>
        elicit(extra, 'Please review and update the form fields with defaults', {
          type: 'object',
          properties: {
            name: { type: 'string', description: 'User name', default: 'John Doe' },
            age: { type: 'integer', description: 'User age', default: 30 },
            score: { type: 'number', description: 'User score', default: 95.5 },
            status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
            verified: { type: 'boolean', description: 'Verification status', default: true },
          },
          required: [],
        }),
    },
    {
      definition: { name: 'test_elicitation_sep1330_enums', description: 'Elicitation with the five enum schema variants (SEP-1330)', inputSchema: noArgs },
      run: (_args, extra) =>
        elicit(extra, 'Please select options from the enum fields', {
          type: 'object',
          properties: {
            untitledSingle: { type: 'string', description: 'Untitled single-select', enum: ['option1', 'option2', 'option3'] },
            titledSingle: {
              type: 'string',
              description: 'Titled single-select',
              oneOf: [
                { const: 'value1', title: 'First Option' },
                { const: 'value2', title: 'Second Option' },
                { const: 'value3', title: 'Third Option' },
              ],
            },
            legacyEnum: {
              type: 'string',
              description: 'Legacy titled enum (deprecated enumNames)',
              enum: ['opt1', 'opt2', 'opt3'],
              enumNames: ['Option One', 'Option Two', 'Option Three'],
            },
            untitledMulti: {
              type: 'array',
              description: 'Untitled multi-select',
              items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
            },
            titledMulti: {
              type: 'array',
              description: 'Titled multi-select',
              items: {
                anyOf: [
                  { const: 'value1', title: 'First Choice' },
                  { const: 'value2', title: 'Second Choice' },
                  { const: 'value3', title: 'Third Choice' },
                ],
              },
            },
          },
          required: [],
        }),
    },
    {
      definition: {
        name: 'json_schema_2020_12_tool',
        description: 'Tool with JSON Schema 2020-12 features',
        inputSchema: {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          type: 'object',
          $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
          properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
          additionalProperties: false,
        },
      },
      run: (args) => text(`Received: ${JSON.stringify(args)}`),
    },
    {
      definition: {
        name: 'test_reconnection',
        description: 'Closes its SSE stream mid-call (when the transport can), then answers: the client must resume (SEP-1699)',
        inputSchema: noArgs,
      },
      run: async (_args, extra) => {
        await sleep(20);
        extra.closeSSEStream?.();
        await sleep(100);
        return text('Reconnection test completed successfully');
      },
    },
  ];
  const toolsByName = new Map(tools.map((tool) => [tool.definition.name, tool]));

  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.map((tool) => tool.definition) }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = toolsByName.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    try {
      return await tool.run(request.params.arguments ?? {}, extra);
    } catch (error) {
      if (error instanceof McpError && error.code === ErrorCode.InvalidParams) throw error;
      return { isError: true, content: [{ type: 'text', text: error instanceof Error ? error.message : String(error) }] };
    }
  });
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    logLevel = request.params.level;
    return {};
  });
  server.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    subscriptions.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });

  server.registerResource(
    'static-text',
    'test://static-text',
    { title: 'Static text', description: 'A static text resource', mimeType: 'text/plain' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }] }),
  );
  server.registerResource(
    'static-binary',
    'test://static-binary',
    { title: 'Static binary', description: 'A static binary resource (a 1x1 PNG)', mimeType: 'image/png' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: RED_PIXEL_PNG }] }),
  );
  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { title: 'Watched resource', description: 'A resource clients subscribe to', mimeType: 'text/plain' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: `Watched resource (${subscriptions.has(uri.href) ? 'subscribed' : 'not subscribed'})` }] }),
  );
  server.registerResource(
    'template-data',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { title: 'Template data', description: 'Data for an id, from a resource template', mimeType: 'application/json' },
    (uri, { id }) => {
      const value = String(id);
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id: value, templateTest: true, data: `Data for ID: ${value}` }) }] };
    },
  );

  server.registerPrompt('test_simple_prompt', { description: 'A simple prompt without arguments' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }));
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt with two required arguments',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) =>
          ['paris', 'park', 'party', 'test', 'testValue1'].filter((candidate) => candidate.startsWith(value ?? '')),
        ),
        arg2: z.string().describe('Second test argument'),
      },
    },
    ({ arg1, arg2 }) => ({
      messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }],
    }),
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { description: 'A prompt embedding a resource', argsSchema: { resourceUri: z.string().describe('URI of the resource to embed') } },
    ({ resourceUri }) => ({
      messages: [
        { role: 'user', content: { type: 'resource', resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' } } },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );
  server.registerPrompt('test_prompt_with_image', { description: 'A prompt with image content' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));
  return server;
}
