/** JSON (and JSON with comments) parsing with exact line:column errors for config files. */

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line} column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

/**
 * Parses JSON (or, with `jsonc`, JSON with comments and trailing commas as VS Code writes it).
 * Plain JSON goes through JSON.parse; the scanner below only runs to locate an error or for JSONC,
 * because V8's messages do not always carry a position.
 */
export function parseJsonText(text: string, options: { jsonc?: boolean } = {}): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!options.jsonc) {
    try {
      return JSON.parse(body);
    } catch {
      // fall through to the scanner for a precise message
    }
  }
  return new JsonScanner(body, options.jsonc ?? false).parseDocument();
}

class JsonScanner {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly jsonc: boolean,
  ) {}

  parseDocument(): unknown {
    this.skip();
    const value = this.value();
    this.skip();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe()} after the end of the JSON value`);
    return value;
  }

  private value(): unknown {
    const ch = this.text[this.pos];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`unexpected ${this.describe()}, expected a value`);
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++; // {
    this.skip();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail(`unexpected ${this.describe()}, expected a property name in double quotes`);
      const key = this.string();
      this.skip();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after property name, found ${this.describe()}`);
      this.pos++;
      this.skip();
      // defineProperty: a "__proto__" key must stay data, as with JSON.parse.
      Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      this.skip();
      const ch = this.text[this.pos];
      if (ch === '}') {
        this.pos++;
        return out;
      }
      if (ch !== ',') this.fail(`expected ',' or '}' after property value, found ${this.describe()}`);
      this.pos++;
      this.skip();
      if (this.text[this.pos] === '}') {
        if (!this.jsonc) this.fail("trailing comma before '}'");
        this.pos++;
        return out;
      }
    }
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    this.skip();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skip();
      const ch = this.text[this.pos];
      if (ch === ']') {
        this.pos++;
        return out;
      }
      if (ch !== ',') this.fail(`expected ',' or ']' after array element, found ${this.describe()}`);
      this.pos++;
      this.skip();
      if (this.text[this.pos] === ']') {
        if (!this.jsonc) this.fail("trailing comma before ']'");
        this.pos++;
        return out;
      }
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (Number.isNaN(code)) this.fail('unterminated string', start);
      if (code === 0x22) break; // "
      if (code < 0x20) this.fail('control character in string (use \\n, \\t, ...)');
      this.pos += code === 0x5c ? 2 : 1; // backslash skips the escaped character
    }
    this.pos++;
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      return this.fail('invalid escape sequence in string', start);
    }
  }

  private number(): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = this.pos;
    const found = match.exec(this.text);
    if (!found) return this.fail(`invalid number`);
    this.pos += found[0].length;
    const next = this.text[this.pos];
    if (next !== undefined && /[\w.]/.test(next)) this.fail('invalid number');
    return Number(found[0]);
  }

  /** Skips whitespace, and comments in JSONC mode. */
  private skip(): void {
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        this.pos++;
      } else if (this.jsonc && ch === '/' && this.text[this.pos + 1] === '/') {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end === -1 ? this.text.length : end + 1;
      } else if (this.jsonc && ch === '/' && this.text[this.pos + 1] === '*') {
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end === -1) this.fail('unterminated /* comment');
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  private describe(): string {
    const ch = this.text[this.pos];
    return ch === undefined ? 'end of file' : `'${ch}'`;
  }

  private fail(reason: string, at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - (before.lastIndexOf('\n') + 1) + 1;
    throw new JsonSyntaxError(reason, at, line, column);
  }
}

// ---------------------------------------------------------------------------------------------
