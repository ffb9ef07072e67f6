import { describe, expect, it } from 'vitest';
import { ReceiptCheckBody } from '../../shared/http/results-schemas.ts';
import { newReceiptCode, normalizeReceiptCode } from '../../shared/voting/ballot-layout.ts';

describe('receipt codes as voters type them', () => {
  it('reads a code in any case, with or without dashes, spaces or other dashes, in its printed form', () => {
    // Prepare
    const code = newReceiptCode();
    const bare = code.replaceAll('-', '');
    // Act + Assess
    for (const typed of [
      code,
      code.toLowerCase(),
      bare,
      ` ${bare.slice(0, 4)} ${bare.slice(4, 8)}\u00a0${bare.slice(8)} `,
      `${bare.slice(0, 4)}–${bare.slice(4, 8)}—${bare.slice(8)}`,
    ])
      expect(normalizeReceiptCode(typed)).toBe(code);
  });

  it('refuses what cannot be a code: wrong length, letters outside the alphabet', () => {
    for (const typed of ['', 'ABC', 'ABCD-EFGH-JKMNP', 'ABCD-EFGH-JKM0', 'ABCD-EFGH-JKMO', 'ABCD/EFGH/JKMN'])
      expect(normalizeReceiptCode(typed)).toBeUndefined();
  });

  it('gives a French field error for a malformed code in the request body', () => {
    const parsed = ReceiptCheckBody.safeParse({ code: 'abc' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['code']);
    expect(parsed.error?.issues[0]?.message).toContain('code de reçu');
    expect(ReceiptCheckBody.safeParse({ code: 'abcd efgh jkmn' }).success).toBe(true);
  });
});
