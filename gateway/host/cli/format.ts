/** Plain-text output helpers: aligned tables and shell-style command lines. */

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** Key/value block: `Label:  value`, labels aligned. */
export function fields(pairs: Array<[string, string]>): string {
  const width = Math.max(...pairs.map(([label]) => label.length + 1));
  return `${pairs.map(([label, value]) => `${`${label}:`.padEnd(width)}  ${value}`).join('\n')}\n`;
}

/** Quotes an argument the way a POSIX shell would need it, so users see the exact command. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(command: string, args: readonly string[] = []): string {
  return [command, ...args].map(shellQuote).join(' ');
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function listOrDash(items: readonly string[]): string {
  return items.length > 0 ? items.join(', ') : '-';
}
