/** `bp count`: the recount of pabulib files, which lives in the counting package so that anyone can run it alone. */
import { runRecount } from '../../packages/counting/src/recount-cli.ts';
import { COUNT } from './catalog.ts';
import type { Command } from './command.ts';

export { parseTieBreak, productRulesFromMeta } from '../../packages/counting/src/recount-cli.ts';

export const count: Command = { ...COUNT, run: (argv, io) => runRecount(argv, io, 'bp count') };
