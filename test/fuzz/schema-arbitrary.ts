import fc from 'fast-check';

/** The subset of JSON Schema (draft 2020-12) that `z.toJSONSchema` writes for this API's request bodies. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

/**
 * Strings that are hard on parsers, stores and logs: lone surrogates, bidirectional overrides, NUL and
 * other controls, zero-width and combining characters, homoglyphs, injection-looking text, huge runs.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\u202eevil\u202c',
  '\u200f\u0627\u0644\u0639\u0631\u0628\u064a\u0629\u200e',
  '\u200b\u200c\u200d\ufeff',
  'Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359',
  '\u0410dmin',
  '\uffff\ufffe',
  '\u{1F600}\u{1F469}\u200d\u{1F4BB}',
  '\r\nSet-Cookie: a=b',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%',
  "' OR '1'='1",
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as typed
  '${7*7}{{7*7}}',
  '__proto__',
  'constructor',
  'null',
  '-1',
  '1e309',
  'a'.repeat(70_000),
  '\u00e9'.repeat(5000),
];

export const hostileString = fc.constantFrom(...HOSTILE_STRINGS);

/** Any JSON value, some nested, some odd: what a caller may send where the schema wants something else. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  hostileString,
  fc.constantFrom(null, true, false, 0, -0, -1, 1.5, 2 ** 53, -(2 ** 53), 1e308, [], {}),
);

function patternString(pattern: string): fc.Arbitrary<string> | undefined {
  try {
    return fc.stringMatching(new RegExp(pattern, 'u'));
  } catch {
    try {
      return fc.stringMatching(new RegExp(pattern));
    } catch {
      return undefined;
    }
  }
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'email')
    return fc.emailAddress().filter((email) => email.length <= (schema.maxLength ?? 254));
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.pattern) {
    const matching = patternString(schema.pattern);
    if (matching) {
      const { minLength = 0, maxLength = Number.POSITIVE_INFINITY } = schema;
      return matching.filter((value) => value.length >= minLength && value.length <= maxLength);
    }
  }
  if (schema.format === 'date')
    return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? minLength + 40, minLength + 200);
  return fc.string({ unit: 'grapheme', minLength, maxLength }).filter((value) => value.length <= maxLength);
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? schema.exclusiveMinimum ?? (integer ? -1_000_000 : -1e9);
  const max = schema.maximum ?? schema.exclusiveMaximum ?? (integer ? 1_000_000 : 1e9);
  const lo = Math.max(min, Number.MIN_SAFE_INTEGER);
  const hi = Math.min(max, Number.MAX_SAFE_INTEGER);
  return integer
    ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) })
    : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
}

/**
 * An arbitrary of values that (mostly) satisfy `schema`: a schema-shaped body reaches the use case, not
 * only the validation, so the fuzz exercises the repositories and the rules too. With `hostility` > 0,
 * each leaf is replaced by a hostile value with that probability.
 */
export function arbitraryFromSchema(schema: JsonSchema, hostility = 0): fc.Arbitrary<unknown> {
  const leaf = (arbitrary: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
    hostility > 0
      ? fc.oneof(
          { weight: Math.round((1 - hostility) * 100), arbitrary },
          { weight: Math.round(hostility * 100), arbitrary: anyJson },
        )
      : arbitrary;

  if (schema.const !== undefined) return leaf(fc.constant(schema.const));
  if (schema.enum) return leaf(fc.constantFrom(...schema.enum));
  const union = schema.anyOf ?? schema.oneOf;
  if (union?.length) return fc.oneof(...union.map((member) => arbitraryFromSchema(member, hostility)));
  if (schema.allOf?.length) return arbitraryFromSchema(schema.allOf[0] as JsonSchema, hostility);

  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return leaf(stringArbitrary(schema));
    case 'integer':
      return leaf(numberArbitrary(schema, true));
    case 'number':
      return leaf(numberArbitrary(schema, false));
    case 'boolean':
      return leaf(fc.boolean());
    case 'null':
      return leaf(fc.constant(null));
    case 'array':
      return fc.array(arbitraryFromSchema(schema.items ?? {}, hostility), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, (schema.minItems ?? 0) + 5),
      });
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of properties) record[name] = arbitraryFromSchema(property, hostility);
      const fixed = fc.record(record, {
        requiredKeys: properties.map(([name]) => name).filter((name) => required.has(name)),
      });
      if (typeof schema.additionalProperties !== 'object') return fixed;
      const extra = fc.dictionary(
        schema.propertyNames
          ? (arbitraryFromSchema(schema.propertyNames) as fc.Arbitrary<string>)
          : fc.string(),
        arbitraryFromSchema(schema.additionalProperties, hostility),
        { maxKeys: 3 },
      );
      return fc.tuple(fixed, extra).map(([a, b]) => ({ ...b, ...(a as object) }));
    }
    default:
      return anyJson;
  }
}
