import { describe, expect, it } from 'vitest';
import { expectOneLineError, runCli } from './support/cli.js';

/** Every command's --help and the usage errors: no gateway needed. */
describe('help and usage errors', () => {
  const commands = [
    [],
    ['serve'],
    ['apply'],
    ['import'],
    ['connect'],
    ['status'],
    ['presets'],
    ['presets', 'list'],
    ['presets', 'show'],
    ['servers'],
    ['servers', 'list'],
    ['servers', 'show'],
    ['servers', 'restart'],
    ['sync'],
    ['sync', 'status'],
    ['sync', 'configure'],
    ['sync', 'share'],
    ['sync', 'resolve'],
    ['sync', 'history'],
    ['sync', 'restore'],
  ];

  it('--help on every command exits 0 and prints its usage', async () => {
    const results = await Promise.all(commands.map((words) => runCli([...words, '--help'])));
    results.forEach((result, i) => {
      const words = (commands[i] as string[]).join(' ');
      expect(result.code, `${words} --help: ${result.stderr}`).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(words ? `Usage: mcp-gateway ${words}` : 'Usage: mcp-gateway <command>');
    });
  }, 60_000);

  it('an unknown flag exits 2 with a one-line error (plus a pointer to --help)', async () => {
    const cases = [
      ['serve', '--bogus'],
      ['apply', 'x.json', '--bogus'],
      ['presets', 'list', '--bogus'],
      ['servers', 'restart', 'fx', '--bogus'],
      ['connect', 'dev', '--bogus'],
      ['--bogus'],
    ];
    const results = await Promise.all(cases.map((args) => runCli(args)));
    results.forEach((result, i) => {
      const args = cases[i] as string[];
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stdout).toBe('');
      expectOneLineError(result, 2, /^mcp-gateway: unknown option '--bogus'$/);
    });
  }, 60_000);

  it('unknown commands and missing arguments are usage errors (exit 2)', async () => {
    const [typo, group, missing, extra] = await Promise.all([
      runCli(['servers', 'lst']),
      runCli(['presest']),
      runCli(['presets', 'show']),
      runCli(['apply', 'a.json', 'b.json']),
    ]);
    expectOneLineError(typo, 2, /unknown command 'servers lst' \(did you mean 'servers list'\?\)/);
    expectOneLineError(group, 2, /unknown command 'presest' \(did you mean 'presets'\?\)/);
    expectOneLineError(missing, 2, /missing SLUG/);
    expectOneLineError(extra, 2, /unexpected argument 'b\.json'/);
  }, 60_000);
});
