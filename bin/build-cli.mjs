#!/usr/bin/env node
/**
 * Builds the `bp` CLI ahead of time: `bin/bp.ts` and its commands → `dist/bp.mjs` (ESM, one chunk per command,
 * npm dependencies left to node_modules), so that `npx bp` starts in plain Node without compiling TypeScript.
 * Runs as the root package's `prepare` script (on `npm install` and `npm ci`) and as `npm run build:cli`.
 *
 * `dist/bp.inputs.json` lists the sources the build read: `bin/bp.js` compares their modification times with the
 * build's and runs the TypeScript through tsx when one is newer, so an edited source is never run stale.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--outdir <dir>` (inside the repository, so the chunks resolve node_modules) builds elsewhere than dist/: the
// test that loads every chunk builds its own copy rather than swapping dist/ under a concurrently running `bp`.
const outdirFlag = process.argv.indexOf('--outdir');
const target = join(root, outdirFlag > 0 ? process.argv[outdirFlag + 1] : 'dist');
// Built beside, then swapped in: a `bp` running meanwhile sees the old build or the new one, never half of one.
const outdir = join(root, `dist.building-${process.pid}`);

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // An install without dev dependencies: `bin/bp.js` will say what is missing when it runs.
  console.warn('build-cli: esbuild absent (dépendances de développement non installées), CLI non construit');
  process.exit(0);
}

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { bp: 'bin/bp.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  metafile: true,
  logLevel: 'warning',
});
const inputs = Object.keys(result.metafile.inputs)
  .filter((path) => !path.includes('node_modules/'))
  .sort();
await writeFile(join(outdir, 'bp.inputs.json'), `${JSON.stringify({ inputs }, null, 2)}\n`);
await rm(target, { recursive: true, force: true });
await rename(outdir, target);
console.log(`build-cli: ${join(target, 'bp.mjs').slice(root.length + 1)} (${inputs.length} sources)`);
