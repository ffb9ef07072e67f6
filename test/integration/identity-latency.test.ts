import { describe, expect, inject, it } from 'vitest';
import { openSession, readCode, requestCode, uniqueEmail, uniquePerson } from '../support/identity.ts';
import '../support/stack-context.ts';

const stack = inject('stack');

/** Prints the median latency of POST .../identity/session over 100 first sign-ins (codes requested beforehand). */
describe('latency of POST .../identity/session on the local stack', () => {
  it('opens 100 sessions and prints the median', { timeout: 180_000 }, async () => {
    const people = [];
    for (let i = 0; i < 100; i++) {
      const email = uniqueEmail('mesure');
      await requestCode(stack, email);
      people.push({ email, code: await readCode(stack, email) });
    }
    const durations: number[] = [];
    for (const person of people) {
      const started = performance.now();
      const response = await openSession(stack, { ...person, profile: uniquePerson() });
      durations.push(performance.now() - started);
      expect(response.status).toBe(201);
    }
    durations.sort((a, b) => a - b);
    const median = ((durations[49] ?? 0) + (durations[50] ?? 0)) / 2;
    const p90 = durations[89] ?? 0;
    console.log(
      `POST /identity/session, 100 calls: median ${median.toFixed(1)} ms, p90 ${p90.toFixed(1)} ms, max ${(durations[99] ?? 0).toFixed(1)} ms`,
    );
    expect(median).toBeGreaterThan(0);
  });
});
