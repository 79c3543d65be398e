import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({ app: { exit: vi.fn() }, marker: 'the electron module' }));
const startDesktop = vi.hoisted(() => vi.fn(async () => null));
vi.mock('electron', () => electron);
vi.mock('./app.js', () => ({ startDesktop }));

describe('the Electron entry (main.ts) with electron mocked', () => {
  it('hands the electron module, argv and env to startDesktop', async () => {
    await import('./main.js');
    expect(startDesktop).toHaveBeenCalledTimes(1);
    const [api, options] = startDesktop.mock.calls[0] as unknown as [Record<string, unknown>, { argv: string[]; env: unknown }];
    expect(api['marker']).toBe('the electron module');
    expect(options.argv).toBe(process.argv);
    expect(options.env).toBe(process.env);
    expect(electron.app.exit).not.toHaveBeenCalled();
  });
});
