import { createHmac } from 'node:crypto';

/**
 * The order a voter sees the projects in: a Fisher–Yates shuffle driven by HMAC-SHA256(key = edition,
 * voter id ‖ counter), so that it is the same at every visit (reproducible, testable) and different from
 * one voter to the next (no position bias). Not a secret: it only orders a public list.
 */
export function shuffleFor<T>(items: readonly T[], voterId: string, edition: string, salt = ''): T[] {
  const out = [...items];
  let block = Buffer.alloc(0);
  let offset = 0;
  let counter = 0;
  const next32 = () => {
    if (offset + 4 > block.length) {
      block = createHmac('sha256', edition).update(`${voterId}\u0000${salt}\u0000${counter++}`).digest();
      offset = 0;
    }
    const value = block.readUInt32BE(offset);
    offset += 4;
    return value;
  };
  for (let i = out.length - 1; i > 0; i--) {
    // Rejection sampling: no modulo bias.
    const bound = i + 1;
    const limit = 2 ** 32 - (2 ** 32 % bound);
    let r = next32();
    while (r >= limit) r = next32();
    const j = r % bound;
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
