/**
 * `npm run bench:local`: how long the local stack takes to start, the latency of the public edition route
 * through the HTTP adapter and the real handler against a bare health check, and the latency of a citizen's
 * first sign-in (`POST .../identity/session`, codes requested and read from the mailbox beforehand).
 * Prints figures; asserts nothing (timings on shared machines are noisy: compare within one run).
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readMailbox } from '../local/ses.ts';
import { startLocalStack } from '../local/stack.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';
import { toInstant } from '../shared/time/zoned.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(url: string): Promise<{ p50: number; p99: number; perSecond: number }> {
  const durations: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const t0 = performance.now();
        const response = await fetch(url);
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${url} answered ${response.status}`);
        durations.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  durations.sort((a, b) => a - b);
  return {
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
    perSecond: durations.length / seconds,
  };
}

/** SIGN_INS citizens ask for a code, then open their first session one after the other. */
async function measureSignIns(api: string, mailbox: string, edition: string) {
  const post = (path: string, body: unknown) =>
    fetch(`${api}/editions/${edition}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const people = Array.from({ length: SIGN_INS }, (_, i) => ({
    email: `mesure-${i}-${randomUUID().slice(0, 8)}@exemple.fr`,
    lastName: `Mesure ${randomUUID()
      .replace(/[^a-f]/g, '')
      .slice(0, 8)}`,
  }));
  for (const { email } of people) {
    const response = await post('/identity/code', { email });
    if (response.status !== 202) throw new Error(`code: ${response.status}`);
  }
  const mails = await readMailbox(mailbox);
  const durations: number[] = [];
  for (const { email, lastName } of people) {
    const code = mails
      .filter((m) => m.destination.to.includes(email))
      .at(-1)
      ?.subject.match(/(\d{6})$/)?.[1];
    const started = performance.now();
    const response = await post('/identity/session', {
      email,
      code,
      profile: { firstName: 'Camille', lastName, birthDate: '1990-05-14', commune: '44109' },
    });
    if (response.status !== 201) throw new Error(`session: ${response.status} ${await response.text()}`);
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  return { p50: percentile(durations, 50), p90: percentile(durations, 90) };
}

const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const dataDir = resolve('.local/bench');
const t0 = performance.now();
const stack = await startLocalStack({
  config: parsed.config,
  port: 0,
  dataDir,
  cacheDir: resolve('.cache'),
  persistent: false,
  // One address signs everybody in here: lift the per-client code limit.
  functionEnv: { CODE_LIMIT_PER_CLIENT_HOUR: '1000000' },
  startAt: new Date(toInstant(parsed.config.calendar.ideasOpen, parsed.config.timeZone).getTime() - 3600_000),
});
const startSeconds = (performance.now() - t0) / 1000;
try {
  await measure(`${stack.urls.api}/health`); // warm-up
  const health = await measure(`${stack.urls.api}/health`);
  const edition = await measure(`${stack.urls.api}/editions/${parsed.config.id}`);
  const sessions = await measureSignIns(stack.urls.api, stack.urls.mailbox, parsed.config.id);
  const f = (n: number) => n.toFixed(1);
  console.log(
    `session: p50=${f(sessions.p50)} ms p90=${f(sessions.p90)} ms (${SIGN_INS} first sign-ins in a row)`,
  );
  console.log(`health:  p50=${f(health.p50)} ms p99=${f(health.p99)} ms ${f(health.perSecond)} req/s`);
  console.log(`edition: p50=${f(edition.p50)} ms p99=${f(edition.p99)} ms ${f(edition.perSecond)} req/s`);
  console.log(
    `bench:local start_s=${startSeconds.toFixed(1)} requests=${REQUESTS} concurrency=${CONCURRENCY} edition_p50_ms=${f(edition.p50)} edition_p99_ms=${f(edition.p99)} health_p50_ms=${f(health.p50)} session_p50_ms=${f(sessions.p50)}`,
  );
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
