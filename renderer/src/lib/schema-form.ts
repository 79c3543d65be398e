/**
 * A form from a tool's JSON Schema (the common shapes tools use: strings, numbers, booleans,
 * enums, string lists); anything richer is edited as JSON in its field, and the raw JSON editor
 * is always one click away.
 */
export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'string-list' | 'json';

export interface Field {
  name: string;
  kind: FieldKind;
  required: boolean;
  title: string;
  description?: string;
  options?: string[];
  defaultValue?: unknown;
}

export type FormValues = Record<string, string | boolean>;

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(schema: Schema): FieldKind {
  const type = Array.isArray(schema['type']) ? (schema['type'] as unknown[]).find((t) => t !== 'null') : schema['type'];
  if (Array.isArray(schema['enum']) && schema['enum'].every((v) => typeof v === 'string')) return 'enum';
  if (type === 'string') return 'string';
  if (type === 'number') return 'number';
  if (type === 'integer') return 'integer';
  if (type === 'boolean') return 'boolean';
  if (type === 'array' && isSchema(schema['items']) && schema['items']['type'] === 'string') return 'string-list';
  return 'json';
}

/** The fields of an object schema, or null when the schema is not an object with properties. */
export function fieldsOf(schema: unknown): Field[] | null {
  if (!isSchema(schema) || (schema['type'] !== undefined && schema['type'] !== 'object')) return null;
  const properties = isSchema(schema['properties']) ? schema['properties'] : {};
  const required = new Set(Array.isArray(schema['required']) ? (schema['required'] as unknown[]).filter((r): r is string => typeof r === 'string') : []);
  return Object.entries(properties).map(([name, raw]) => {
    const property = isSchema(raw) ? raw : {};
    const kind = kindOf(property);
    return {
      name,
      kind,
      required: required.has(name),
      title: typeof property['title'] === 'string' ? property['title'] : name,
      ...(typeof property['description'] === 'string' ? { description: property['description'] } : {}),
      ...(kind === 'enum' ? { options: property['enum'] as string[] } : {}),
      ...(property['default'] !== undefined ? { defaultValue: property['default'] } : {}),
    };
  });
}

export function initialValues(fields: Field[]): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const d = field.defaultValue;
    if (field.kind === 'boolean') values[field.name] = d === true;
    else if (d === undefined) values[field.name] = '';
    else if (field.kind === 'string-list' && Array.isArray(d)) values[field.name] = d.join('\n');
    else if (field.kind === 'json') values[field.name] = JSON.stringify(d, null, 2);
    else values[field.name] = String(d);
  }
  return values;
}

export type ArgumentsResult = { ok: true; arguments: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** Form values → tool arguments, with a message per field that does not convert. */
export function toArguments(fields: Field[], values: FormValues): ArgumentsResult {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === 'boolean') {
      if (value === true || field.required) args[field.name] = value === true;
      continue;
    }
    const text = typeof value === 'string' ? value : '';
    if (text.trim() === '') {
      if (field.required) errors[field.name] = 'required';
      continue;
    }
    switch (field.kind) {
      case 'number':
      case 'integer': {
        const n = Number(text);
        if (!Number.isFinite(n)) errors[field.name] = 'expected a number';
        else if (field.kind === 'integer' && !Number.isInteger(n)) errors[field.name] = 'expected a whole number';
        else args[field.name] = n;
        break;
      }
      case 'string-list':
        args[field.name] = text.split('\n').map((s) => s.trim()).filter(Boolean);
        break;
      case 'json':
        try {
          args[field.name] = JSON.parse(text);
        } catch {
          errors[field.name] = 'expected JSON';
        }
        break;
      default:
        args[field.name] = text;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, arguments: args };
}

/** Arguments → form values (when switching back from the JSON editor). */
export function toValues(fields: Field[], args: Record<string, unknown>): FormValues {
  const values = initialValues(fields);
  for (const field of fields) {
    const v = args[field.name];
    if (v === undefined) continue;
    if (field.kind === 'boolean') values[field.name] = v === true;
    else if (field.kind === 'string-list' && Array.isArray(v)) values[field.name] = v.map(String).join('\n');
    else if (field.kind === 'json') values[field.name] = JSON.stringify(v, null, 2);
    else values[field.name] = String(v);
  }
  return values;
}
