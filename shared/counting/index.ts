/**
 * The counting library lives in its own package, `packages/counting/` (no dependency, publishable alone so that
 * anyone can recount the published ballot files); the platform imports it from here.
 */
export * from '../../packages/counting/src/index.ts';
