import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkDeploySet, type DeployConfig, readDeployConfig } from '../../lib/deploy-config.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { DEPLOY_VALIDATE } from './catalog.ts';
import type { Command } from './command.ts';

/**
 * `bp deploy validate deploy/<edition>.<env>.json...`: each file's schema and name, its edition file
 * (`editions/<edition>.json` beside `deploy/`, or `--editions <dossier>`) valid with its sender on the SES domain,
 * and, across the files given, staging and production of one edition in different accounts or regions.
 */
export const deployValidate: Command = {
  ...DEPLOY_VALIDATE,
  async run(argv, io) {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { editions: { type: 'string' } },
    });
    if (positionals.length === 0) {
      io.err('Indiquer au moins un fichier : bp deploy validate deploy/<édition>.<environnement>.json...');
      return 2;
    }
    let failed = false;
    const valid: DeployConfig[] = [];
    for (const file of positionals) {
      // The edition named inside the file, else the one its name says: errors then name both files.
      const editionId = basename(file).split('.')[0] ?? '';
      const editionFile = join(values.editions ?? join(dirname(file), '..', 'editions'), `${editionId}.json`);
      const edition = await readEditionFile(editionFile);
      const result = readDeployConfig(file, edition.ok ? edition.config : undefined);
      const errors = [
        ...(edition.ok ? [] : edition.errors.map((line) => `${file}: édition ${editionFile} : ${line}`)),
        ...(result.ok ? [] : result.errors),
      ];
      for (const line of errors) io.err(line);
      if (errors.length > 0) failed = true;
      else {
        if (result.ok) valid.push(result.deploy);
        io.out(`ok ${file}`);
      }
    }
    for (const line of checkDeploySet(valid)) {
      io.err(line);
      failed = true;
    }
    return failed ? 1 : 0;
  },
};
