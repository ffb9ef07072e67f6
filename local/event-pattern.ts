// Hand-written: no maintained npm package implements EventBridge content filtering.

/**
 * EventBridge event patterns, as documented in "Creating event patterns" and "Content filtering":
 * exact values, arrays as OR, nesting, array values in the event, `prefix`, `suffix`, `anything-but`,
 * `numeric`, `exists`, `equals-ignore-case`, `wildcard` and `$or`. Like EventBridge, a pattern is
 * checked in full before use, so a typo fails at start-up rather than silently matching nothing.
 */

export class InvalidEventPatternError extends Error {
  override name = 'InvalidEventPatternError';
}

type Leaf = string | number | boolean | null;
/** Tests the leaf values found at one field; the list is empty when the field is absent. */
type FieldMatcher = (values: readonly Leaf[]) => boolean;
type ObjectMatcher = (node: Record<string, unknown>) => boolean;
type StringTest = (value: string) => boolean;

export function compilePattern(pattern: unknown): (event: Record<string, unknown>) => boolean {
  return compileObject(pattern, '$');
}

export function matchesPattern(pattern: unknown, event: Record<string, unknown>): boolean {
  return compilePattern(pattern)(event);
}

function compileObject(pattern: unknown, path: string): ObjectMatcher {
  if (!isObject(pattern)) throw new InvalidEventPatternError(`${path}: a pattern must be a JSON object`);
  const parts = Object.entries(pattern).map(([key, value]): ObjectMatcher => {
    const at = `${path}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) {
        throw new InvalidEventPatternError(`${at}: $or needs an array of at least two patterns`);
      }
      const alternatives = value.map((alternative, i) => compileObject(alternative, `${at}[${i}]`));
      return (node) => alternatives.some((alternative) => alternative(node));
    }
    if (Array.isArray(value)) {
      const field = compileField(value, at);
      return (node) => field(leavesOf(node[key]));
    }
    if (isObject(value)) {
      const nested = compileObject(value, at);
      return (node) => {
        const child = node[key];
        // An array of objects matches when one of its elements does (EventBridge keeps array consistency).
        const objects = (Array.isArray(child) ? child : [child]).filter(isObject);
        return objects.length > 0 ? objects.some(nested) : nested({});
      };
    }
    throw new InvalidEventPatternError(`${at}: expected an array of values or a nested pattern object`);
  });
  return (node) => parts.every((part) => part(node));
}

function compileField(specs: unknown[], at: string): FieldMatcher {
  if (specs.length === 0) throw new InvalidEventPatternError(`${at}: an empty array matches nothing`);
  const matchers = specs.map((spec, i) => compileMatcher(spec, `${at}[${i}]`));
  return (values) => matchers.some((matcher) => matcher(values));
}

function compileMatcher(spec: unknown, at: string): FieldMatcher {
  if (isLeaf(spec)) return (values) => values.includes(spec);
  if (!isObject(spec)) throw new InvalidEventPatternError(`${at}: expected a value or a filter object`);
  const entries = Object.entries(spec);
  const [operator, argument] = entries[0] ?? [];
  if (entries.length !== 1 || operator === undefined) {
    throw new InvalidEventPatternError(`${at}: a filter object has exactly one operator`);
  }
  switch (operator) {
    case 'exists':
      if (typeof argument !== 'boolean') {
        throw new InvalidEventPatternError(`${at}: exists takes true or false`);
      }
      return (values) => values.length > 0 === argument;
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard': {
      const test = compileStringTest(operator, argument, at);
      return (values) => values.some((value) => typeof value === 'string' && test(value));
    }
    case 'numeric': {
      const test = compileNumeric(argument, at);
      return (values) => values.some((value) => typeof value === 'number' && test(value));
    }
    case 'anything-but': {
      const excluded = compileAnythingBut(argument, at);
      // A missing field is not "anything but x": EventBridge only matches fields that exist.
      return (values) => values.some((value) => !excluded(value));
    }
    case 'cidr':
      throw new InvalidEventPatternError(`${at}: cidr is not supported by the local bus`);
    default:
      throw new InvalidEventPatternError(`${at}: unknown operator "${operator}"`);
  }
}

function compileStringTest(operator: string, argument: unknown, at: string): StringTest {
  if ((operator === 'prefix' || operator === 'suffix') && isObject(argument)) {
    const folded = argument['equals-ignore-case'];
    if (Object.keys(argument).length !== 1 || typeof folded !== 'string') {
      throw new InvalidEventPatternError(
        `${at}: ${operator} takes a string or {"equals-ignore-case": string}`,
      );
    }
    const wanted = folded.toLowerCase();
    return operator === 'prefix'
      ? (value) => value.toLowerCase().startsWith(wanted)
      : (value) => value.toLowerCase().endsWith(wanted);
  }
  if (typeof argument !== 'string') throw new InvalidEventPatternError(`${at}: ${operator} takes a string`);
  switch (operator) {
    case 'prefix':
      return (value) => value.startsWith(argument);
    case 'suffix':
      return (value) => value.endsWith(argument);
    case 'equals-ignore-case': {
      const wanted = argument.toLowerCase();
      return (value) => value.toLowerCase() === wanted;
    }
    default: {
      const regex = wildcardRegex(argument, at);
      return (value) => regex.test(value);
    }
  }
}

/** `*` matches any run of characters; `\*` and `\\` are a literal star and backslash. */
function wildcardRegex(wildcard: string, at: string): RegExp {
  if (wildcard.includes('**')) throw new InvalidEventPatternError(`${at}: wildcard cannot contain "**"`);
  let source = '';
  for (let i = 0; i < wildcard.length; i++) {
    const char = wildcard[i] as string;
    const next = wildcard[i + 1];
    if (char === '\\' && (next === '*' || next === '\\')) {
      source += `\\${next}`;
      i++;
    } else if (char === '*') {
      source += '.*';
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

const COMPARISONS: Record<string, (value: number, bound: number) => boolean> = {
  '=': (value, bound) => value === bound,
  '<': (value, bound) => value < bound,
  '<=': (value, bound) => value <= bound,
  '>': (value, bound) => value > bound,
  '>=': (value, bound) => value >= bound,
};

function compileNumeric(argument: unknown, at: string): (value: number) => boolean {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0) {
    throw new InvalidEventPatternError(
      `${at}: numeric takes pairs of operator and number, e.g. [">", 0, "<=", 5]`,
    );
  }
  const conditions: ((value: number) => boolean)[] = [];
  for (let i = 0; i < argument.length; i += 2) {
    const operator = argument[i];
    const bound = argument[i + 1];
    const compare = typeof operator === 'string' ? COMPARISONS[operator] : undefined;
    if (!compare || typeof bound !== 'number') {
      throw new InvalidEventPatternError(
        `${at}: numeric expects an operator (=, <, <=, >, >=) then a number`,
      );
    }
    conditions.push((value) => compare(value, bound));
  }
  return (value) => conditions.every((condition) => condition(value));
}

/** Returns the test for values that are excluded. */
function compileAnythingBut(argument: unknown, at: string): (value: Leaf) => boolean {
  if (isLeaf(argument)) return (value) => value === argument;
  if (Array.isArray(argument)) {
    if (argument.length === 0 || !argument.every(isLeaf)) {
      throw new InvalidEventPatternError(`${at}: anything-but takes a value or a non-empty list of values`);
    }
    return (value) => argument.includes(value);
  }
  if (isObject(argument)) {
    const entries = Object.entries(argument);
    const [operator, inner] = entries[0] ?? [];
    if (
      entries.length !== 1 ||
      !operator ||
      !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(operator)
    ) {
      throw new InvalidEventPatternError(
        `${at}: anything-but takes a value, a list, or one of prefix, suffix, equals-ignore-case, wildcard`,
      );
    }
    const tests = (Array.isArray(inner) ? inner : [inner]).map((one) => compileStringTest(operator, one, at));
    // Non-string values cannot start with anything, so they are not excluded.
    return (value) => typeof value === 'string' && tests.some((test) => test(value));
  }
  throw new InvalidEventPatternError(`${at}: anything-but takes a value, a list or a filter object`);
}

/** The leaf values at a field: none when absent or an object, every leaf when an array. */
function leavesOf(value: unknown): Leaf[] {
  if (Array.isArray(value)) return value.flat(Number.POSITIVE_INFINITY).filter(isLeaf);
  return isLeaf(value) ? [value] : [];
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
