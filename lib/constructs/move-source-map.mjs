// Run by CDK after esbuild bundled a function (lib/constructs/bp-function.ts, `commandHooks.afterBundling`):
// moves `index.js.map` out of the asset that becomes the deployed zip, to `<dest>/<sha256 of index.js, 16 hex>.js.map`,
// so the map of a deployed version is found from its code alone. Plain JavaScript: runs with `node`, no tsx.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

const [outputDir, dest] = process.argv.slice(2);
if (!outputDir || !dest) throw new Error('usage: node move-source-map.mjs <asset dir> <source-maps dir>');
const hash = createHash('sha256')
  .update(readFileSync(join(outputDir, 'index.js')))
  .digest('hex')
  .slice(0, 16);
mkdirSync(dest, { recursive: true });
renameSync(join(outputDir, 'index.js.map'), join(dest, `${hash}.js.map`));
