import { parseArgs } from 'node:util';
import { EMAIL_SAMPLES, EMAIL_TEMPLATE_NAMES } from '../../functions/notifications/templates/samples.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { EMAIL_LIST, EMAIL_PREVIEW } from './catalog.ts';
import type { Command, CommandIo } from './command.ts';

const DEFAULT_EDITION = 'editions/loire-atlantique-demo.json';

async function loadConfig(file: string, io: CommandIo) {
  const parsed = await readEditionFile(file);
  if (!parsed.ok) {
    for (const line of parsed.errors) io.err(line);
    return undefined;
  }
  return parsed.config;
}

/** `bp email list`: every template `bp email preview` can render. */
export const emailList: Command = {
  ...EMAIL_LIST,
  async run(_argv, io) {
    for (const name of EMAIL_TEMPLATE_NAMES) io.out(name);
    return 0;
  },
};

/** `bp email preview <modèle> [--html|--text] [--edition <fichier>]`: one email with sample data, on stdout. */
export const emailPreview: Command = {
  ...EMAIL_PREVIEW,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        html: { type: 'boolean' },
        text: { type: 'boolean' },
        edition: { type: 'string' },
      },
      allowPositionals: true,
    });
    const name = positionals[0];
    const sample = name ? EMAIL_SAMPLES[name] : undefined;
    if (!name || !sample) {
      io.err(name ? `Modèle inconnu : ${name}` : 'Indiquez un modèle.');
      io.err(`Modèles : ${EMAIL_TEMPLATE_NAMES.join(', ')}`);
      return 2;
    }
    const config = await loadConfig(values.edition ?? DEFAULT_EDITION, io);
    if (!config) return 1;
    const email = await sample(config);
    if (values.html) {
      io.out(email.html);
      return 0;
    }
    io.out(`À : ${email.to}`);
    io.out(`Objet : ${email.subject}`);
    for (const header of email.headers ?? []) io.out(`${header.name}: ${header.value}`);
    io.out('');
    io.out(email.text.trimEnd());
    return 0;
  },
};
