#!/usr/bin/env node
// The entry npm links as `bp`. The CLI is TypeScript: tsx compiles it on the fly, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('./bp.ts');
