import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The receipt sealed on the has-voted marker, so that a retry with the same `Idempotency-Key` gets the
 * same receipt back while nothing stored links the voter to their ballot: the AES-256-GCM key is derived
 * (HKDF-SHA256) from the Idempotency-Key, a client secret the server never stores, salted with the voter
 * id and bound to the edition. Without that key the sealed value is noise; with a different key it fails
 * authentication (→ "already voted").
 */
export function sealReceipt(
  receipt: string,
  idempotencyKey: string,
  voterId: string,
  edition: string,
): string {
  const key = deriveKey(idempotencyKey, voterId, edition);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(receipt, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The receipt, or `undefined` when `idempotencyKey` is not the one it was sealed with. */
export function unsealReceipt(
  sealed: string,
  idempotencyKey: string,
  voterId: string,
  edition: string,
): string | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      deriveKey(idempotencyKey, voterId, edition),
      raw.subarray(0, 12),
    );
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function deriveKey(idempotencyKey: string, voterId: string, edition: string): Buffer {
  return Buffer.from(hkdfSync('sha256', idempotencyKey, voterId, `bp-receipt-seal/${edition}`, 32));
}

export { newReceiptCode, ReceiptCodePattern } from '../../shared/voting/ballot-layout.ts';
