import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, sliceOf } from '../../shared/manifest.ts';
import { SLICES_DIR, sliceFile, sliceName } from '../../shared/manifest-slices/generate.ts';

describe('the manifest slices the bundles carry (shared/manifest-slices)', () => {
  it.each(FUNCTIONS.map((fn) => [fn.name, fn] as const))(
    'give %s the route and table access of its manifest entry (run `npm run gen:manifest` otherwise)',
    async (_name, fn) => {
      // Act
      const generated = (await import(sliceFile(fn))) as Record<string, unknown>;

      // Assess
      expect(generated[sliceName(fn)]).toEqual(sliceOf(fn));
    },
  );

  it('has no slice of a function the manifest no longer declares', async () => {
    // Act
    const files = (await readdir(SLICES_DIR)).filter((file) => file.endsWith('.generated.ts'));

    // Assess
    expect(files.sort()).toEqual(FUNCTIONS.map((fn) => `${fn.name}.generated.ts`).sort());
  });
});
