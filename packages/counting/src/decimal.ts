/**
 * Decimal amounts as integers. Costs and budgets in pabulib files may be written `4000.0` or `1234,5`: each is
 * read as an integer number of 10^-decimals currency units, so every budget comparison is an integer one.
 */
export interface Decimal {
  /** The value times 10^decimals. */
  readonly units: bigint;
  /** Digits after the decimal point, trailing zeros dropped (`4000.0` has 0). */
  readonly decimals: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:[.,](\d*))?$/;

/** Reads `12`, `12.50`, `12,5`, `.5`; refuses anything else (exponents, thousands separators). */
export function parseDecimal(text: string): Decimal {
  const match = DECIMAL.exec(text.trim());
  const [, sign = '', int = '', rawFrac = ''] = match ?? [];
  if (!match || (int === '' && rawFrac === '')) throw new SyntaxError(`Nombre invalide : « ${text} »`);
  const frac = rawFrac.replace(/0+$/, '');
  const units = BigInt(`${int || '0'}${frac}`);
  return { units: sign === '-' ? -units : units, decimals: frac.length };
}

/** The same value expressed with more decimals (never fewer: that could lose digits). */
export function rescale(value: Decimal, decimals: number): bigint {
  if (decimals < value.decimals) throw new RangeError('Changement d’échelle avec perte');
  return value.units * 10n ** BigInt(decimals - value.decimals);
}

/** `units` (in 10^-decimals) as a plain decimal string with a point and no trailing zeros: `4000`, `12.5`. */
export function formatUnits(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const int = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}

/** Parses every value and returns them at the smallest common number of decimals. */
export function commonScale(values: readonly Decimal[]): { decimals: number; units: bigint[] } {
  const decimals = values.reduce((max, v) => Math.max(max, v.decimals), 0);
  return { decimals, units: values.map((v) => rescale(v, decimals)) };
}
