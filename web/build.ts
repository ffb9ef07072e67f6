import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { expandIncludes } from './includes.ts';

const webDir = dirname(fileURLToPath(import.meta.url));
const srcDir = join(webDir, 'src');
const repoRoot = resolve(webDir, '..');

/** Browsers of the last few years, including Safari 15 on older iPhones. */
const TARGET = ['es2020', 'chrome100', 'firefox100', 'safari15'];

/**
 * web/src/lib/shared-data.ts re-exports constants from shared/, whose modules also build zod schemas.
 * Bundling them as they are would ship zod to the browser, so this plugin evaluates the file at build
 * time and replaces it with its exported values as JSON literals: one source of truth, no zod.
 */
const inlineSharedData: esbuild.Plugin = {
  name: 'inline-shared-data',
  setup(build) {
    build.onLoad({ filter: /[\\/]web[\\/]src[\\/]lib[\\/]shared-data\.ts$/ }, async ({ path }) => {
      const evaluated = await esbuild.build({
        entryPoints: [path],
        bundle: true,
        format: 'esm',
        platform: 'node',
        write: false,
        logLevel: 'silent',
      });
      const code = evaluated.outputFiles[0]?.text ?? '';
      const module = (await import(
        `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
      )) as Record<string, unknown>;
      const lines = Object.entries(module).map(([name, value]) => {
        if (typeof value === 'function' || value === undefined) {
          throw new Error(`shared-data.ts may only re-export plain data; ${name} is not`);
        }
        return `export const ${name} = ${JSON.stringify(value)};`;
      });
      return { contents: lines.join('\n'), loader: 'js', resolveDir: dirname(path) };
    });
  },
};

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Builds the static site into `outDir` (relative paths are read from the repository root): one ES module
 * per page (`web/src/*.ts` → `assets/*.js`, shared code split into chunks), minified with source maps,
 * plus the minified stylesheet and the other files (HTML pages, icons) as they are, keeping their folders.
 */
export async function buildWeb(outDir = 'web/dist'): Promise<void> {
  const out = resolve(repoRoot, outDir);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  const sources = await listFiles(srcDir);
  const pages = sources.filter((file) => dirname(file) === srcDir && file.endsWith('.ts'));
  const styles = sources.filter((file) => file.endsWith('.css'));
  const partialsDir = join(srcDir, 'partials');
  const isPartial = (file: string) => dirname(file) === partialsDir;
  const partials = new Map(
    await Promise.all(
      sources
        .filter(isPartial)
        .map(async (file) => [basename(file, '.html'), await readFile(file, 'utf8')] as const),
    ),
  );
  /** Copied as they are: pages (with their includes expanded), icons, images. */
  const assets = sources.filter(
    (file) => !file.endsWith('.ts') && !file.endsWith('.css') && !isPartial(file),
  );

  await Promise.all([
    esbuild.build({
      entryPoints: pages,
      outdir: join(out, 'assets'),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: TARGET,
      minify: true,
      sourcemap: 'linked',
      charset: 'utf8',
      chunkNames: 'chunks/[name]-[hash]',
      plugins: [inlineSharedData],
      logLevel: 'warning',
    }),
    esbuild.build({
      entryPoints: styles,
      outbase: srcDir,
      outdir: out,
      bundle: true,
      minify: true,
      target: TARGET,
      charset: 'utf8',
      logLevel: 'warning',
    }),
    ...assets.map(async (file) => {
      const target = join(out, relative(srcDir, file));
      await mkdir(dirname(target), { recursive: true });
      if (file.endsWith('.html')) {
        const page = relative(srcDir, file);
        await writeFile(target, expandIncludes(await readFile(file, 'utf8'), partials, page));
      } else await cp(file, target);
    }),
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outDir = process.argv[2] ?? 'web/dist';
  const started = Date.now();
  await buildWeb(outDir);
  const files = await listFiles(resolve(repoRoot, outDir));
  const { stat } = await import('node:fs/promises');
  let js = 0;
  for (const file of files) if (file.endsWith('.js')) js += (await stat(file)).size;
  console.log(
    `web: ${files.length} files in ${outDir} (${(js / 1024).toFixed(1)} kB of JS) in ${Date.now() - started} ms`,
  );
}
