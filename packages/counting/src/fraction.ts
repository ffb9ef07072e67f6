/**
 * Exact non-negative rationals on BigInt. The count never compares floating-point numbers: budgets, prices
 * and the MES affordability factors are fractions, compared by cross-multiplication.
 */
export interface Fraction {
  readonly num: bigint;
  /** Always > 0. Not necessarily in lowest terms: reduce with {@link fraction} when it matters. */
  readonly den: bigint;
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** A fraction in lowest terms with a positive denominator. */
export function fraction(num: bigint, den = 1n): Fraction {
  if (den === 0n) throw new RangeError('Dénominateur nul');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den);
  if (g <= 1n) return { num: num * sign, den: den * sign };
  return { num: (num / g) * sign, den: (den / g) * sign };
}

/** Sign of a - b. */
export function compareFractions(a: Fraction, b: Fraction): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

export function addFractions(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.den + b.num * a.den, a.den * b.den);
}

/**
 * Renders `value` (an amount in units of 10^-decimals) as a decimal string with `places` digits after the point,
 * rounded half up (away from zero); `exact` tells whether rounding was needed.
 */
export function fractionToDecimal(
  value: Fraction,
  places: number,
  decimals = 0,
): { text: string; exact: boolean } {
  const scale = 10n ** BigInt(places);
  const den = value.den * 10n ** BigInt(decimals);
  const negative = value.num < 0n;
  const num = negative ? -value.num : value.num;
  const scaled = num * scale;
  let q = scaled / den;
  const r = scaled % den;
  if (r * 2n >= den) q += 1n;
  const digits = q.toString().padStart(places + 1, '0');
  const int = digits.slice(0, digits.length - places);
  const frac = places > 0 ? `.${digits.slice(digits.length - places)}` : '';
  return { text: `${negative && q !== 0n ? '-' : ''}${int}${frac}`, exact: r === 0n };
}
