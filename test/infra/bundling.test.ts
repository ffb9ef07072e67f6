import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/manifest.ts';
import { buildApp, fixtureConfig } from './build-edition.ts';

describe('function bundles', () => {
  it('bundles each handler as a minified CommonJS module, its source map beside the asset and not in it', () => {
    // Prepare: real esbuild bundling, for the functions stack only.
    const config = fixtureConfig();
    const { app, editions } = buildApp([config], { bundle: [`Bp-${config.id}-Functions`] });
    const template = editions[0]?.templates.functions;

    // Act
    const assembly = app.synth();
    const functions = Object.values(template?.findResources('AWS::Lambda::Function') ?? {}) as {
      Properties: { Code: { S3Key: string }; Environment: { Variables: Record<string, unknown> } };
    }[];

    // Assess
    expect(
      functions.map(({ Properties }) => Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).sort(),
    ).toEqual(FUNCTIONS.map((fn) => fn.name).sort());
    for (const { Properties } of functions) {
      const name = String(Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME);
      expect(Properties.Environment.Variables.NODE_OPTIONS, name).toBeUndefined();
      const dir = join(assembly.directory, `asset.${Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      // The deployed zip holds the bundle alone: no source map to fetch and parse at a cold start.
      expect(readdirSync(dir), name).toEqual(['index.js']);
      const code = readFileSync(join(dir, 'index.js'), 'utf8');
      // CommonJS, the SDK left to the runtime and loaded with `require` (no ESM-to-CommonJS export scan).
      expect(code).toMatch(/module\.exports\s*=\s*\{\s*handler\s*\}/);
      expect(code).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
      // Only DynamoDB at load: the other SDK packages are imported when a request first needs them.
      for (const lazy of ['client-eventbridge', 'client-sesv2', 'client-secrets-manager', 'client-s3']) {
        expect(code, `${name} requires @aws-sdk/${lazy} at load`).not.toContain(
          `require("@aws-sdk/${lazy}")`,
        );
      }
      expect(code).not.toMatch(/\bimport\s*\{|\bexport\s*\{/);
      expect(code).not.toContain('sourceMappingURL');
      // Minified: far fewer lines than characters would allow for readable code.
      expect(code.split('\n').length).toBeLessThan(code.length / 200);

      // The map sits in the assembly, named after the bundle's hash, with positions but not our source text.
      const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
      const map = JSON.parse(
        readFileSync(join(assembly.directory, 'source-maps', config.id, name, `${hash}.js.map`), 'utf8'),
      ) as { sources: string[]; mappings: string; sourcesContent?: unknown };
      expect(map.mappings.length, name).toBeGreaterThan(1000);
      expect(map.sourcesContent).toBeUndefined();
      const entry = FUNCTIONS.find((fn) => fn.name === name)?.entry;
      expect(map.sources.some((source) => source.endsWith(entry as string))).toBe(true);
      // Paris time with Intl, not date-fns (~26 kB); the function's manifest slice, not the whole manifest
      // (~16 kB), except where the OpenAPI document is built from every route.
      expect(
        map.sources.filter((source) => source.includes('node_modules/date-fns')),
        name,
      ).toEqual([]);
      expect(
        map.sources.some((source) => source.endsWith('shared/manifest.ts')),
        name,
      ).toBe(name === 'editions');
      // Validation uses zod/mini (tree-shaken): the classic API would add ~70 kB to every bundle.
      expect(
        map.sources.filter((source) => source.includes('zod/v4/classic/')),
        name,
      ).toEqual([]);
    }
  });
});
