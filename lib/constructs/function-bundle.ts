import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { type BuildOptions, buildSync } from 'esbuild';

/** What the SDK's default credential chain is replaced with in every bundle (see that file). */
const ENV_CREDENTIALS = fileURLToPath(new URL('../../shared/lambda/env-credentials.ts', import.meta.url));

/** Left to the Lambda runtime's copy: S3, large and used by two rare routes, imported when first needed. */
export const RUNTIME_PACKAGES = ['@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner'] as const;

/**
 * How every function's code and the SDK in it are bundled: minified for Node 22, the SDK from its ES modules
 * (tree-shaken) with the environment's credentials as its only chain, S3 left to the runtime. bench:bundles builds
 * its floor (a bare handler making the DynamoDB client) with the same options.
 */
export const SDK_BUNDLING = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  external: [...RUNTIME_PACKAGES],
  alias: { '@aws-sdk/credential-provider-node': ENV_CREDENTIALS },
} as const satisfies BuildOptions;

export interface FunctionBundleProps {
  /** The repository's root: esbuild resolves packages from its node_modules. */
  readonly projectRoot: string;
  /** The function's `main.ts`, relative to the root. */
  readonly entry: string;
  /** Where each file's source map goes, out of the asset. */
  readonly sourceMapsDir: string;
}

/**
 * Where a file's source map is kept: named after the sha256 of the file (16 hex), so the map of a deployed
 * version is found from its code alone (`aws lambda get-function`, hash the file a stack trace names).
 */
export function sourceMapName(code: Buffer | string, file: string): string {
  const extension = file.slice(file.lastIndexOf('.'));
  return `${createHash('sha256').update(code).digest('hex').slice(0, 16)}${extension}.map`;
}

/**
 * A function's code, bundled by esbuild as ES modules split in chunks: `index.mjs` holds what the function loads
 * at start (its handler, the DynamoDB client, zod, jose, the logger); what is first needed by a request (the
 * EventBridge, SES and Secrets Manager clients, every `import()` of our code) is in chunks that Node reads only
 * then. A cold start compiles only what it runs: in one file, Node had to parse the whole bundle (450–630 kB
 * with the SDK) before running a line, a third of the import's CPU (bench:bundles).
 *
 * Hand-written rather than `NodejsFunction`: that construct makes a single file (`--outfile`), and esbuild splits
 * only into a folder (`--outdir`). The options are otherwise those it used: minified, Node 22, the SDK bundled
 * from its ES modules (tree-shaken) with the environment's credentials as its only chain, the source maps out
 * of the zip. `require` is defined for the CommonJS packages esbuild bundles into ES modules.
 */
export function functionBundle(props: FunctionBundleProps): Code {
  return Code.fromAsset(props.projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: bundling is local (esbuild is a dependency of the project); CDK requires an image.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      // Not run either, but part of the key CDK caches bundles by within a synth: without the entry and the maps'
      // folder, every function (and every edition) would get the first one's bundle.
      command: ['esbuild', props.entry, '--source-maps', props.sourceMapsDir],
      local: {
        tryBundle(outputDir) {
          buildFunction({ ...props, outputDir });
          return true;
        },
      },
    },
  });
}

/** Bundles one function into `outputDir` and moves its source maps to `sourceMapsDir`. */
export function buildFunction(props: FunctionBundleProps & { readonly outputDir: string }): void {
  buildSync({
    absWorkingDir: props.projectRoot,
    entryPoints: { index: join(props.projectRoot, props.entry) },
    outdir: props.outputDir,
    outExtension: { '.js': '.mjs' },
    ...SDK_BUNDLING,
    splitting: true,
    format: 'esm',
    sourcemap: 'external',
    sourcesContent: false,
    banner: {
      js: "import { createRequire as __bpCreateRequire } from 'node:module'; const require = __bpCreateRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  mkdirSync(props.sourceMapsDir, { recursive: true });
  for (const file of readdirSync(props.outputDir)) {
    if (!file.endsWith('.mjs')) continue;
    const code = readFileSync(join(props.outputDir, file));
    renameSync(join(props.outputDir, `${file}.map`), join(props.sourceMapsDir, sourceMapName(code, file)));
  }
}

/**
 * The files of a bundle that Node reads before the function runs: `file` and the chunks it imports statically,
 * transitively (not those behind an `import()`, read when a request first needs them).
 */
export function loadPath(dir: string, file = 'index.mjs', seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const code = readFileSync(join(dir, file), 'utf8');
  // esbuild writes `import{a as b}from"./chunk-X.mjs"` or `import"./chunk-X.mjs"`; `import("./…")` is not matched.
  for (const match of code.matchAll(
    /\bimport\s*(?:\{[^}]*\}\s*from\s*|\*\s*as\s*[\w$]+\s*from\s*)?"\.\/([^"]+)"/g,
  )) {
    loadPath(dir, match[1] as string, seen);
  }
  return [...seen];
}
