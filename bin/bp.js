#!/usr/bin/env node
// The entry npm links as `bp`. It runs the CLI built ahead of time (`dist/bp.mjs`, by `npm run build:cli`, which
// the `prepare` script runs on `npm install` and `npm ci`): plain JavaScript, no compiling at start. When that
// build is missing, or one of the sources it read is newer (a developer editing the TypeScript), it runs the
// TypeScript itself through tsx instead: slower to start, never stale.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

function builtIsFresh() {
  try {
    const built = statSync(new URL('dist/bp.mjs', root)).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL('dist/bp.inputs.json', root), 'utf8'));
    return inputs.every((path) => statSync(new URL(path, root)).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (builtIsFresh()) {
  await import('../dist/bp.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./bp.ts');
}
