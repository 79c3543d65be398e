import { describe, expect, it } from 'vitest';
import { foldDiff, lineDiff } from './diff.js';
import { fieldsOf, initialValues, toArguments, toValues } from './schema-form.js';
import { formatMs, formatPercent, relativeTime } from './format.js';

describe('lineDiff', () => {
  it('marks added and removed lines and keeps common ones', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nB\nc\nd\n')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'remove', text: 'b' },
      { kind: 'add', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'add', text: 'd' },
    ]);
  });

  it('treats a new file as all added', () => {
    expect(lineDiff('', '{\n}\n')).toEqual([
      { kind: 'add', text: '{' },
      { kind: 'add', text: '}' },
    ]);
  });

  it('folds long unchanged runs around the changes', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 10', 'line ten');
    const folded = foldDiff(lineDiff(before, after), 2);
    expect(folded[0]).toEqual({ kind: 'fold', count: 8 });
    expect(folded.filter((l) => l.kind === 'add')).toEqual([{ kind: 'add', text: 'line ten' }]);
    expect(folded.at(-1)).toEqual({ kind: 'fold', count: 7 });
  });
});

describe('schema forms', () => {
  const schema = {
    type: 'object',
    properties: {
      text: { type: 'string', description: 'What to echo' },
      count: { type: 'integer', default: 2 },
      ratio: { type: 'number' },
      loud: { type: 'boolean' },
      mode: { type: 'string', enum: ['a', 'b'] },
      tags: { type: 'array', items: { type: 'string' } },
      extra: { type: 'object' },
    },
    required: ['text', 'count'],
  };

  it('derives one field per property with its kind', () => {
    const fields = fieldsOf(schema);
    expect(fields?.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['text', 'string', true],
      ['count', 'integer', true],
      ['ratio', 'number', false],
      ['loud', 'boolean', false],
      ['mode', 'enum', false],
      ['tags', 'string-list', false],
      ['extra', 'json', false],
    ]);
    expect(fieldsOf({ type: 'string' })).toBeNull();
    expect(fieldsOf({})).toEqual([]);
  });

  it('converts values to arguments and reports bad ones per field', () => {
    const fields = fieldsOf(schema) ?? [];
    const values = { ...initialValues(fields), text: 'hi', count: '3', tags: 'x\n y \n', extra: '{"k":1}', loud: true };
    expect(toArguments(fields, values)).toEqual({ ok: true, arguments: { text: 'hi', count: 3, tags: ['x', 'y'], extra: { k: 1 }, loud: true } });
    expect(toArguments(fields, { ...values, text: '', count: '1.5', extra: '{' })).toEqual({
      ok: false,
      errors: { text: 'required', count: 'expected a whole number', extra: 'expected JSON' },
    });
  });

  it('round-trips arguments back into form values', () => {
    const fields = fieldsOf(schema) ?? [];
    const values = toValues(fields, { text: 'x', count: 4, tags: ['a', 'b'], loud: true });
    expect(values).toMatchObject({ text: 'x', count: '4', tags: 'a\nb', loud: true, ratio: '' });
  });
});

describe('format', () => {
  it('formats latencies and rates for people', () => {
    expect(formatMs(0.123)).toBe('0.12 ms');
    expect(formatMs(12.34)).toBe('12.3 ms');
    expect(formatMs(1234)).toBe('1234 ms');
    expect(formatMs(12_345)).toBe('12.3 s');
    expect(formatMs(null)).toBe('—');
    expect(formatPercent(1, 3)).toBe('33%');
    expect(formatPercent(1, 200)).toBe('0.5%');
    expect(formatPercent(0, 0)).toBe('—');
  });
  it('says how far a time is, and "just now" within the rounding of clocks', () => {
    const now = Date.parse('2026-01-01T10:00:00.000Z');
    expect(relativeTime('2026-01-01T10:00:00.400Z', now)).toBe('just now');
    expect(relativeTime('2026-01-01T09:59:59.000Z', now)).toBe('just now');
    expect(relativeTime('2026-01-01T10:00:30.000Z', now)).toBe('in 30 s');
    expect(relativeTime('2026-01-01T09:55:00.000Z', now)).toBe('5 min ago');
    expect(relativeTime('2026-01-01T07:00:00.000Z', now)).toBe('3 h ago');
  });
});
