import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startGateway, type GatewayProcess } from './support/gateway-process.js';
import { fixturePath } from './support/paths.js';

/**
 * Multi round-trip requests (2026-07-28): a stateless client calls a tool of a 2025 upstream
 * that asks for elicitation or sampling mid-call; the gateway answers input_required, holds
 * the upstream call, and the client's retry with inputResponses completes it.
 */
const MODERN = '2026-07-28';
type Result = { resultType?: string; isError?: boolean; inputRequests?: Record<string, { method: string; params?: Record<string, unknown> }>; requestState?: string; content?: Array<{ text?: string }> };
type Reply = { result?: Result; error?: { code: number; message: string } };

describe('multi round-trip requests for stateless clients', () => {
  let gw: GatewayProcess;
  let nextId = 1;

  beforeAll(async () => {
    gw = await startGateway();
    await gw.api('config.apply', {
      config: { servers: { fx: { command: process.execPath, args: [fixturePath, 'stdio'] } }, presets: { dev: { servers: { fx: { tools: ['elicit', 'sample', 'echo'] } } } } },
    });
  });
  afterAll(async () => {
    await gw?.stop();
    if (gw) await removeDir(gw.dataDir);
  });

  async function call(params: Record<string, unknown>, capabilities: Record<string, unknown> = { elicitation: {}, sampling: {} }, token?: string): Promise<Reply> {
    const res = await fetch(`${gw.url}/mcp/dev`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method: 'tools/call',
        params: {
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN,
            'io.modelcontextprotocol/clientInfo': { name: 'mrtr-test', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': capabilities,
          },
        },
      }),
    });
    return (await res.json()) as Reply;
  }

  it('asks for elicitation with input_required, then completes the same call on the retry', async () => {
    const tool = { name: 'fx__elicit', arguments: { question: 'Your name?' } };
    const first = await call(tool);
    expect(first.result?.resultType).toBe('input_required');
    const [key, request] = Object.entries(first.result?.inputRequests ?? {})[0]!;
    expect(request.method).toBe('elicitation/create');
    expect(request.params?.message).toBe('Your name?');
    expect(typeof first.result?.requestState).toBe('string');

    const done = await call({ ...tool, inputResponses: { [key]: { action: 'accept', content: { answer: 'Ada' } } }, requestState: first.result!.requestState });
    expect(done.result?.resultType).toBe('complete');
    expect(done.result?.content?.[0]?.text).toBe('elicited: accept {"answer":"Ada"}');
    // The exchange is over: its state cannot be used again.
    const again = await call({ ...tool, inputResponses: { [key]: { action: 'accept', content: { answer: 'Eve' } } }, requestState: first.result!.requestState });
    expect(again.error?.message).toMatch(/requestState names a call this gateway no longer holds/);
  });

  it('asks again when the retry lacks the answer, and works for sampling too', async () => {
    const tool = { name: 'fx__sample', arguments: { prompt: 'Capital of France?' } };
    const first = await call(tool);
    const [key, request] = Object.entries(first.result?.inputRequests ?? {})[0]!;
    expect(request.method).toBe('sampling/createMessage');
    const incomplete = await call({ ...tool, inputResponses: {}, requestState: first.result!.requestState });
    expect(incomplete.result?.resultType).toBe('input_required');
    expect(Object.keys(incomplete.result?.inputRequests ?? {})).toEqual([key]);
    const done = await call({
      ...tool,
      inputResponses: { [key]: { role: 'assistant', content: { type: 'text', text: 'Paris' }, model: 'test' } },
      requestState: incomplete.result!.requestState,
    });
    expect(done.result?.content?.[0]?.text).toBe('sampled: Paris');
  });

  it('refuses a tampered or mismatched requestState, and never asks a client that cannot answer', async () => {
    const tool = { name: 'fx__elicit', arguments: { question: 'Sure?' } };
    const first = await call(tool);
    const state = first.result!.requestState!;
    const tampered = await call({ ...tool, inputResponses: {}, requestState: `${state.slice(0, -2)}xx` });
    expect(tampered.error?.message).toMatch(/requestState is not valid for this call/);
    const otherTool = await call({ name: 'fx__sample', arguments: { prompt: 'x' }, inputResponses: {}, requestState: state });
    expect(otherTool.error?.message).toMatch(/requestState is not valid for this call/);

    const noElicitation = await call(tool, {});
    expect(noElicitation.result).toMatchObject({ resultType: 'complete', isError: true, content: [{ text: expect.stringContaining('the client does not support elicitation') }] });
    // A call that needs no input is answered at once.
    expect((await call({ name: 'fx__echo', arguments: { text: 'plain' } })).result).toMatchObject({ resultType: 'complete', content: [{ text: 'plain' }] });
  });
});
