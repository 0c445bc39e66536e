/**
 * Request bodies for fuzzing, with fast-check: values derived from an operation's JSON Schema (as
 * `/api/openapi.json` publishes it), then mutated into what a careless or hostile client sends —
 * wrong types, missing and unknown fields, numbers past 2^53 or past a double, lone surrogates,
 * impossible dates, very long strings, deep nesting, arrays where objects go, null.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  $ref?: string;
}

/** Text written into the JSON body as is: what JSON.stringify cannot produce (1e400, -0, 200,000 levels of nesting). */
export class Raw {
  constructor(readonly text: string) {}
}

export interface SchemaContext {
  components: Record<string, JsonSchema>;
  /** Strings worth trying where a schema says only "string": known ids, field names, format names. */
  strings: readonly string[];
  /** Values worth trying for a property or parameter of that name (`format` → the import formats). */
  named: Readonly<Record<string, readonly string[]>>;
  /** A component to use for a property the schema leaves open (`rule: {}` → SegmentRule). */
  propertyHints: Readonly<Record<string, string>>;
}

const MAX_DEPTH = 4;

const isoDate = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());

/** Strings a property's name suggests, so valid-looking bodies get past the first check and reach deeper code. */
function byName(name: string | undefined): fc.Arbitrary<string> | undefined {
  if (!name) return undefined;
  if (/(_at|At|timestamp|Timestamp|^date|_on)$/.test(name)) return isoDate;
  if (/currency/i.test(name)) return fc.constantFrom('USD', 'EUR', 'JPY', 'GBP', 'usd', 'XXX', 'KWD');
  if (/email/i.test(name)) return fc.constantFrom('a@example.com', 'B@Example.COM', 'no-at-sign', 'x@y');
  if (/password/i.test(name)) return fc.constantFrom('correct horse battery', 'short', 'p'.repeat(80));
  if (/timezone/i.test(name)) return fc.constantFrom('UTC', 'America/New_York', 'Europe/Berlin', 'Mars/Olympus');
  if (/country/i.test(name)) return fc.constantFrom('US', 'GB', 'DE', 'ZZ', 'usa');
  return undefined;
}

function resolveRef(ref: string, ctx: SchemaContext): JsonSchema {
  const name = ref.replace('#/components/schemas/', '');
  return ctx.components[name] ?? {};
}

function leafBranches(branches: JsonSchema[]): JsonSchema[] {
  const leaves = branches.filter((b) => !JSON.stringify(b).includes('$ref'));
  return leaves.length > 0 ? leaves : branches;
}

/** A value the schema admits (mostly): what a well-behaved client would send. */
export function fromSchema(schema: JsonSchema | undefined, ctx: SchemaContext, depth = 0, name?: string): fc.Arbitrary<unknown> {
  if (!schema || Object.keys(schema).filter((k) => k !== '$schema' && k !== 'description').length === 0) {
    const hint = name ? ctx.propertyHints[name] : undefined;
    if (hint && ctx.components[hint] && depth <= MAX_DEPTH) return fromSchema(ctx.components[hint], ctx, depth + 1, name);
    return fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...ctx.strings));
  }
  if (schema.$ref) return depth > MAX_DEPTH + 2 ? fc.constant({}) : fromSchema(resolveRef(schema.$ref, ctx), ctx, depth + 1, name);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) {
    const usable = depth >= MAX_DEPTH ? leafBranches(branches) : branches;
    return fc.oneof(...usable.map((b) => fromSchema(b, ctx, depth + 1, name)));
  }
  if (schema.allOf?.[0]) return fromSchema(schema.allOf[0], ctx, depth, name);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : ['object'];
  return fc.oneof(...types.map((type) => fromType(type, schema, ctx, depth, name)));
}

function fromType(type: string, schema: JsonSchema, ctx: SchemaContext, depth: number, name: string | undefined): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null': return fc.constant(null);
    case 'boolean': return fc.boolean();
    case 'integer': {
      const min = Math.max(schema.minimum ?? -1_000_000, -Number.MAX_SAFE_INTEGER);
      const max = Math.min(schema.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER);
      return fc.oneof({ weight: 4, arbitrary: fc.integer({ min: Math.max(min, -1_000_000), max: Math.max(Math.min(max, 1_000_000), Math.max(min, -1_000_000)) }) }, fc.constantFrom(min, max));
    }
    case 'number': {
      const min = schema.minimum ?? -1e6;
      const max = schema.maximum ?? 1e6;
      return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    }
    case 'string': {
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 24, 40));
      // What the name or format suggests comes first (8 in 10), so most bodies get past the first check.
      const values = name ? ctx.named[name] : undefined;
      const suggested = values && values.length > 0 ? fc.constantFrom(...values) : byName(name) ?? (schema.format === 'date-time' ? isoDate : undefined);
      const options: fc.Arbitrary<string>[] = [fc.string({ minLength, maxLength })];
      if (schema.pattern) {
        try {
          options.push(fc.stringMatching(new RegExp(schema.pattern)));
        } catch {
          // A pattern fast-check cannot generate from: plain strings will do.
        }
      }
      const fitting = ctx.strings.filter((s) => s.length >= minLength && (schema.maxLength === undefined || s.length <= schema.maxLength));
      if (fitting.length > 0) options.push(fc.constantFrom(...fitting));
      return suggested ? fc.oneof({ weight: 4 * options.length, arbitrary: suggested }, ...options.map((arbitrary) => ({ weight: 1, arbitrary }))) : fc.oneof(...options);
    }
    case 'array': {
      if (depth > MAX_DEPTH + 2) return fc.constant([]);
      const minLength = schema.minItems ?? 0;
      return fc.array(fromSchema(schema.items, ctx, depth + 1, name), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    default: {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      if (depth > MAX_DEPTH + 2) return fc.constant(Object.fromEntries([...required].map((k) => [k, null])));
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, fromSchema(value, ctx, depth + 1, key)])),
        { requiredKeys: [...required].filter((k) => k in properties) },
      );
      const extra = schema.additionalProperties;
      if (extra && typeof extra === 'object' && Object.keys(extra).length > 0) {
        return fc.tuple(record, fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fromSchema(extra, ctx, depth + 1), { maxKeys: 2 })).map(([r, d]) => ({ ...d, ...r }));
      }
      return record;
    }
  }
}

const deep = (depth: number, open: string, close: string, leaf = '') => new Raw(open.repeat(depth) + leaf + close.repeat(depth));

/** What a hostile or broken client puts where a value goes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(
    2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324, -1, 0, 2 ** 31, 2 ** 63, 0.5, 1.005, null, true, false,
    '', ' ', '\ud800', 'a\udc00b', '\ud83d', '2024-02-30', '2024-02-30T10:00:00Z', '2023-13-01T00:00:00Z', '0000-00-00T00:00:00Z',
    '+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00Z', '1e400', 'NaN', 'Infinity', '-0', '\u0000', 'a\u0000b', '%00', '%E0%A4%A',
    '../../etc/passwd', '<script>alert(1)</script>', "'; drop table customers; --", 'ext:', 'ext:cust-1', '💥👩‍👩‍👧', 'ＵＳＤ', 'usd ',
    [], {}, [[]], [null], [{}], { a: null }, ['a', 1, null],
  ) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(
    new Raw('9007199254740993'), new Raw('-9007199254740993'), new Raw('1e400'), new Raw('-1e400'), new Raw('-0'), new Raw('1E+999'), new Raw('123456789012345678901234567890'),
    new Raw('0.000000000000000000000000000000000000000000000000000001'), new Raw('{"__proto__":{"polluted":true}}'),
    new Raw('{"constructor":{"prototype":{"polluted":true}}}'), new Raw('{"a":1,"a":2}'),
  ) },
  fc.constantFrom(300, 1_000, 40_000, 120_000).map((n) => 'x'.repeat(n)),
  fc.constantFrom(64, 2_000, 200_000).chain((d) => fc.constantFrom(deep(d, '[', ']'), deep(d, '{"a":', '}', '1'))),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.double(),
  fc.integer(),
);

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (out.length > 200) return out;
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
  else if (value && typeof value === 'object' && !(value instanceof Raw)) for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], root);
}

/** One change to a body; `at` picks the node (modulo the number of nodes). */
export interface Mutation { kind: 'replace' | 'delete' | 'unknown' | 'wrap' | 'stringify'; at: number; value: unknown }

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('replace', 'replace', 'replace', 'delete', 'unknown', 'wrap', 'stringify'),
  at: fc.nat(),
  value: hostileValue,
});

/** Applies the mutations to a copy of the value. */
export function mutate(value: unknown, mutations: readonly Mutation[]): unknown {
  let root: unknown = structuredCloneRaw(value);
  for (const m of mutations) {
    const paths = pathsOf(root);
    const path = paths[m.at % paths.length]!;
    const node = getAt(root, path);
    const set = (next: unknown) => {
      if (path.length === 0) root = next;
      else (getAt(root, path.slice(0, -1)) as Record<string | number, unknown>)[path.at(-1)!] = next;
    };
    if (m.kind === 'replace') set(m.value);
    else if (m.kind === 'wrap') set([node]);
    else if (m.kind === 'stringify') set(node instanceof Raw ? node.text : JSON.stringify(node) ?? 'undefined');
    else if (m.kind === 'unknown' && node && typeof node === 'object' && !Array.isArray(node) && !(node instanceof Raw)) (node as Record<string, unknown>)[`unknown_${m.at % 97}`] = m.value;
    else if (m.kind === 'delete' && path.length > 0) {
      const parent = getAt(root, path.slice(0, -1));
      if (Array.isArray(parent)) parent.splice(path.at(-1) as number, 1);
      else delete (parent as Record<string, unknown>)[path.at(-1) as string];
    }
  }
  return root;
}

function structuredCloneRaw(value: unknown): unknown {
  if (value instanceof Raw) return value;
  if (Array.isArray(value)) return value.map(structuredCloneRaw);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCloneRaw(v)]));
  return value;
}

/** The body text: JSON with each `Raw` written in place as is. */
export function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `@@raw-${raws.length - 1}@@`;
    }
    return v;
  }) ?? 'null';
  return raws.length === 0 ? text : text.replace(/"@@raw-(\d+)@@"/g, (_, i: string) => raws[Number(i)]!);
}
