/**
 * `npm run bench:local`: how long the local stack takes to start, and the latency of the public
 * edition route through the HTTP adapter and the real handler, against a bare health check.
 * Prints figures; asserts nothing (timings on shared machines are noisy: compare within one run).
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startLocalStack } from '../local/stack.ts';
import { readEditionFile } from '../shared/edition/load-edition.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
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
});
const startSeconds = (performance.now() - t0) / 1000;
try {
  await measure(`${stack.urls.api}/health`); // warm-up
  const health = await measure(`${stack.urls.api}/health`);
  const edition = await measure(`${stack.urls.api}/editions/${parsed.config.id}`);
  const f = (n: number) => n.toFixed(1);
  console.log(`health:  p50=${f(health.p50)} ms p99=${f(health.p99)} ms ${f(health.perSecond)} req/s`);
  console.log(`edition: p50=${f(edition.p50)} ms p99=${f(edition.p99)} ms ${f(edition.perSecond)} req/s`);
  console.log(
    `bench:local start_s=${startSeconds.toFixed(1)} requests=${REQUESTS} concurrency=${CONCURRENCY} edition_p50_ms=${f(edition.p50)} edition_p99_ms=${f(edition.p99)} health_p50_ms=${f(health.p50)}`,
  );
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
