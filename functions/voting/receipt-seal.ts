import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, randomInt } from 'node:crypto';

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

/** No 0/O, 1/I/L, 5/S, 2/Z: read aloud or copied by hand without mistakes. */
const ALPHABET = '346789ABCDEFGHJKMNPQRTUVWXY';

/** A random receipt code, `XXXX-XXXX-XXXX` (≈ 57 bits), unguessable and easy to copy. */
export function newReceiptCode(): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

const group = `[${ALPHABET}]{4}`;
export const ReceiptCodePattern = new RegExp(`^${group}-${group}-${group}$`);
