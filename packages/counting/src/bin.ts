#!/usr/bin/env node
/** `pabulib-count`: the recount alone, for anyone who installs this package (the platform runs it as `bp count`). */
import { RECOUNT_USAGE, runRecount } from './recount-cli.ts';

const PROGRAM = 'pabulib-count';
const argv = process.argv.slice(2);
if (argv.length === 0 || argv.includes('-h') || argv.includes('--help')) {
  process.stdout.write(
    `Usage : ${PROGRAM} ${RECOUNT_USAGE}\n\nDépouille des fichiers pabulib (.pb) et explique le sort de chaque projet.\n`,
  );
} else {
  try {
    process.exitCode = await runRecount(argv, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    if (!(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) throw error;
    const option = (error as Error).message.match(/option '([^']+)'/)?.[1];
    process.stderr.write(
      `${PROGRAM} : ${option ? `option inconnue « ${option} »` : 'arguments mal formés'}\n`,
    );
    process.stderr.write(`Usage : ${PROGRAM} ${RECOUNT_USAGE}\n`);
    process.exitCode = 2;
  }
}
