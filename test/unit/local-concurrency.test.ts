import { describe, expect, it } from 'vitest';
import { concurrencyLimited } from '../../local/stack.ts';

describe('the local runtime honours a function’s reserved concurrency on asynchronous invocations', () => {
  it('runs at most `limit` at once, the others in turn, and every one of them', async () => {
    // Prepare
    let active = 0;
    let highest = 0;
    const done: number[] = [];
    const limited = concurrencyLimited(2, async (n: number) => {
      active++;
      highest = Math.max(highest, active);
      await new Promise((resolve) => setTimeout(resolve, 5 + (n % 3)));
      active--;
      done.push(n);
      if (n === 4) throw new Error('a failed invocation frees its slot too');
      return n;
    });
    // Act
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, n) => limited(n)));
    // Assess
    expect(highest).toBe(2);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, n) => n));
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(1);
  });

  it('does not limit a function without reserved concurrency', async () => {
    let active = 0;
    let highest = 0;
    const free = concurrencyLimited(undefined, async () => {
      active++;
      highest = Math.max(highest, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
    });
    await Promise.all(Array.from({ length: 10 }, () => free(undefined)));
    expect(highest).toBe(10);
  });
});
