/**
 * `npm run bench:count [-- DIR]`: how long each counting rule takes, and the peak memory, on the largest pabulib
 * files of the folder DIR (the team keeps one beside the repository: `npm run bench:count -- ../shared/data/pabulib`;
 * without DIR, none) and on a generated instance of 1,000,000 approval ballots over 300 projects.
 * Each (instance, rule) runs in its own child process capped at 2 GB of heap, so the peak resident memory it
 * reports (`maxRSS`) belongs to that rule alone, loading included. Prints figures; asserts nothing.
 *
 * Environment: BENCH_BALLOTS (1000000), BENCH_PROJECTS (300), BENCH_FILES (largest files counted, 3),
 * BENCH_RULES (comma-separated, all by default), BENCH_SEED (2026).
 */
import { fork } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeProject } from '../packages/counting/src/instance.ts';
import {
  count,
  type Instance,
  isRuleName,
  parsePabulibStream,
  RULES,
  type RuleName,
} from '../shared/counting/index.ts';

const HERE = fileURLToPath(import.meta.url);
const BALLOTS = Number(process.env.BENCH_BALLOTS ?? 1_000_000);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 300);
const FILES = Number(process.env.BENCH_FILES ?? 3);
const SEED = Number(process.env.BENCH_SEED ?? 2026);
const SYNTHETIC = `synthetic-${BALLOTS}x${PROJECTS}`;

/** mulberry32: small, fast and reproducible from a seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A realistic skew: project popularity follows a Zipf-like law (a few favourites, a long tail), ballots
 * approve 3 to 10 distinct projects drawn by popularity, costs are 1,000 to 50,000 in steps of 100, and the
 * budget is 30 average costs, so that some 20 to 40 projects win.
 */
export function syntheticInstance(ballots: number, projects: number, seed: number): Instance {
  const random = prng(seed);
  const costs = Array.from({ length: projects }, () => 1000n + BigInt(Math.floor(random() * 491)) * 100n);
  const order = Array.from({ length: projects }, (_, i) => i).sort(() => random() - 0.5);
  const weights = order.map((rank) => 1 / (rank + 1) ** 0.8);
  const cumulative = new Float64Array(projects);
  let total = 0;
  weights.forEach((w, i) => {
    total += w;
    cumulative[i] = total;
  });
  const offsets = new Uint32Array(ballots + 1);
  const listed = new Uint32Array(ballots * 10);
  const stamp = new Int32Array(projects).fill(-1);
  let used = 0;
  for (let b = 0; b < ballots; b++) {
    const size = Math.min(projects, 3 + Math.floor(random() * 8));
    let picked = 0;
    while (picked < size) {
      const x = random() * total;
      let lo = 0;
      let hi = projects - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((cumulative[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      if (stamp[lo] === b) continue;
      stamp[lo] = b;
      listed[used++] = lo;
      picked += 1;
    }
    offsets[b + 1] = used;
  }
  const budget = (costs.reduce((sum, c) => sum + c, 0n) / BigInt(projects)) * 30n;
  return {
    meta: new Map([
      ['description', `Synthetic instance (seed ${seed})`],
      ['vote_type', 'approval'],
    ]),
    voteType: 'approval',
    budget,
    decimals: 0,
    projects: costs.map((cost, i) => makeProject(String(i + 1), cost, new Map())),
    ballots: {
      count: ballots,
      offsets,
      projects: listed.slice(0, used),
      pointsDecimals: 0,
      extra: new Map(),
    },
  };
}

interface Measure {
  source: string;
  rule: RuleName;
  loadSeconds: number;
  seconds: number;
  peakMb: number;
  winners: number;
}

async function child(source: string, rule: RuleName): Promise<void> {
  const t0 = performance.now();
  const instance =
    source === SYNTHETIC
      ? syntheticInstance(BALLOTS, PROJECTS, SEED)
      : await parsePabulibStream(createReadStream(source, 'utf8'));
  const t1 = performance.now();
  const result = count(instance, { rule });
  const t2 = performance.now();
  const measure: Measure = {
    source,
    rule,
    loadSeconds: (t1 - t0) / 1000,
    seconds: (t2 - t1) / 1000,
    peakMb: process.resourceUsage().maxRSS / 1024,
    winners: result.selected.length,
  };
  process.send?.(measure);
}

function runChild(source: string, rule: RuleName): Promise<Measure> {
  return new Promise((done, fail) => {
    const worker = fork(HERE, ['--child', source, rule], {
      execArgv: [...process.execArgv, '--max-old-space-size=2048'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let measure: Measure | undefined;
    worker.on('message', (m) => {
      measure = m as Measure;
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (measure) done(measure);
      else fail(new Error(`${source} ${rule}: le processus s’est arrêté (code ${code})`));
    });
  });
}

async function main(dir: string | undefined): Promise<void> {
  const names = dir ? (await readdir(dir)).filter((f) => f.endsWith('.pb')).map((f) => resolve(dir, f)) : [];
  const sized = await Promise.all(names.map(async (f) => ({ f, size: (await stat(f)).size })));
  const largest = sized
    .sort((a, b) => b.size - a.size)
    .slice(0, FILES)
    .map((s) => s.f);
  const rules = (process.env.BENCH_RULES?.split(',') ?? [...RULES]).filter(isRuleName);
  const sources = [...largest, SYNTHETIC];
  console.log(`bench:count: ${sources.join(', ')} ; règles : ${rules.join(', ')}`);
  console.log(
    `${'instance'.padEnd(34)} ${'règle'.padEnd(15)} ${'lecture s'.padStart(9)} ${'compte s'.padStart(9)} ${'pic Mo'.padStart(7)} lauréats`,
  );
  let last: Measure | undefined;
  for (const source of sources) {
    for (const rule of rules) {
      const m = await runChild(source, rule);
      console.log(
        `${basename(m.source).padEnd(34)} ${m.rule.padEnd(15)} ${m.loadSeconds.toFixed(2).padStart(9)} ${m.seconds.toFixed(2).padStart(9)} ${m.peakMb.toFixed(0).padStart(7)} ${m.winners}`,
      );
      if (source === SYNTHETIC && rule === 'mes') last = m;
    }
  }
  last ??= await runChild(SYNTHETIC, 'mes');
  console.log(
    `bench:count file=${last.source} rule=mes seconds=${last.seconds.toFixed(2)} peak_mb=${last.peakMb.toFixed(0)}`,
  );
}

// Run only as a script (tests may import the generator).
if (resolve(process.argv[1] ?? '') === HERE) {
  if (process.argv[2] === '--child') {
    const rule = process.argv[4] ?? '';
    if (!isRuleName(rule)) throw new Error(`Règle inconnue : ${rule}`);
    await child(process.argv[3] ?? '', rule);
  } else {
    await main(process.argv[2]);
  }
}
