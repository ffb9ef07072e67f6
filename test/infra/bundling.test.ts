import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp, fixtureConfig } from './build-edition.ts';

describe('function bundles', () => {
  it('bundles each handler as a minified ESM module with the createRequire banner and a source map', () => {
    // Prepare: real esbuild bundling, for the functions stack only.
    const config = fixtureConfig();
    const { app, editions } = buildApp([config], { bundle: [`Bp-${config.id}-Functions`] });
    const template = editions[0]?.templates.functions;

    // Act
    const assembly = app.synth();
    const functions = Object.values(template?.findResources('AWS::Lambda::Function') ?? {}) as {
      Properties: { Code: { S3Key: string } };
    }[];
    const bundleDirs = functions.map(({ Properties }) =>
      join(assembly.directory, `asset.${Properties.Code.S3Key.replace(/\.zip$/, '')}`),
    );

    // Assess
    expect(bundleDirs.length).toBeGreaterThan(0);
    for (const dir of bundleDirs) {
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith("import { createRequire as __bpCreateRequire } from 'node:module';")).toBe(true);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(code).toContain('//# sourceMappingURL=index.mjs.map');
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      // Minified: far fewer lines than characters would allow for readable code.
      expect(code.split('\n').length).toBeLessThan(code.length / 200);
    }
  });
});
