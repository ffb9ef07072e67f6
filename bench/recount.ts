/**
 * `npm run bench:recount -- <file.pb>`: what a recount costs anyone who checks published results, whole
 * processes as they would run them.
 * - help_s: `node bin/bp.js --help`, wall time from spawn to exit, median of BENCH_RUNS;
 * - count_s: `node bin/bp.js count <file> --rule mes --json` (parse, MES with its greedy completion, exact);
 * - plain_s: `node bench/plain-mes.mjs <file>`, a plain JavaScript count of the same rule written for the
 *   comparison (floating point, per voter, no library: see its header);
 * - ratio = count_s / plain_s. The two counts run alternately, so the machine's load hits both alike, and
 *   must select the same projects in the same order (`same=`).
 * The CLI is built first (`node bin/build-cli.mjs`, as `npm install` does), so the figures are the built CLI's.
 * The file is an argument (the team's pabulib copy is not in the repository), e.g.
 * `npm run bench:recount -- ../shared/data/pabulib/Poland_Lodz_2022.pb`. Env: BENCH_RUNS (5).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));
const file = process.argv.slice(2).find((arg) => arg !== '--');
if (!file) {
  console.error('Usage : npm run bench:recount -- <fichier.pb>');
  process.exit(2);
}

function run(args: string[]): { seconds: number; stdout: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} : code ${child.status}\n${child.stderr}`);
  return { seconds, stdout: child.stdout };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

run(['bin/build-cli.mjs']);

const help: number[] = [];
for (let i = 0; i < RUNS; i++) help.push(run(['bin/bp.js', '--help']).seconds);

const counts: number[] = [];
const plains: number[] = [];
let cliSelected: string[] = [];
let plainSelected: string[] = [];
for (let i = 0; i < RUNS; i++) {
  const cli = run(['bin/bp.js', 'count', file, '--rule', 'mes', '--json']);
  counts.push(cli.seconds);
  cliSelected = (JSON.parse(cli.stdout) as { selected: string[] }).selected;
  const plain = run(['bench/plain-mes.mjs', file]);
  plains.push(plain.seconds);
  plainSelected = JSON.parse(plain.stdout) as string[];
}

const helpS = median(help);
const countS = median(counts);
const plainS = median(plains);
const same = cliSelected.join(',') === plainSelected.join(',');
console.log(
  `bench:recount help_s=${helpS.toFixed(3)} count_s=${countS.toFixed(3)} plain_s=${plainS.toFixed(3)} ratio=${(countS / plainS).toFixed(2)} same=${same} winners=${cliSelected.length} runs=${RUNS}`,
);
