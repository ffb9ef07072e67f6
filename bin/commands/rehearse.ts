/**
 * `bp rehearse`: the dress rehearsal of a whole edition against a running platform (docs/rehearsal.md). Parses
 * the options and loads the driver (`bin/rehearse/`) only when run.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { REHEARSE } from './catalog.ts';
import type { Command } from './command.ts';

const positiveInt = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`--${name} : entier positif attendu (« ${text} »)`);
  return value;
};

export const rehearseCommand: Command = {
  ...REHEARSE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        voters: { type: 'string' },
        ideas: { type: 'string' },
        concurrency: { type: 'string' },
        seed: { type: 'string' },
        'projects-per-envelope': { type: 'string' },
        paper: { type: 'string' },
        receipts: { type: 'string' },
        bus: { type: 'string' },
        deployed: { type: 'boolean' },
        'max-wait': { type: 'string' },
        region: { type: 'string' },
        mailbox: { type: 'string' },
        'mailbox-region': { type: 'string' },
        'mail-domain': { type: 'string' },
        staff: { type: 'string' },
      },
    });
    if (!values.url) {
      io.err('bp rehearse : indiquer --url (le site, par exemple http://127.0.0.1:3000)');
      io.err(`Usage : bp rehearse ${REHEARSE.args}`);
      return 2;
    }
    let options: import('../rehearse/driver.ts').RehearseOptions;
    try {
      const voters = positiveInt('voters', values.voters, 1000);
      if (values.mailbox?.startsWith('s3://')) {
        const { parseS3MailboxUri } = await import('../rehearse/s3-mailbox.ts');
        if (!parseS3MailboxUri(values.mailbox))
          throw new RangeError(`--mailbox : s3://<compartiment>/<préfixe> attendu (« ${values.mailbox} »)`);
      }
      const { parseDuration, platformKind } = await import('../rehearse/platform.ts');
      // Refused here, before anything is sent: a deployed edition has no local bus.
      platformKind({
        url: values.url,
        ...(values.bus ? { busUrl: values.bus } : {}),
        deployed: values.deployed ?? false,
      });
      const receipts = values.receipts === undefined ? 0.1 : Number(values.receipts);
      if (!(receipts > 0 && receipts <= 1))
        throw new RangeError('--receipts : une part entre 0 et 1 attendue');
      options = {
        url: values.url,
        voters,
        ideas: positiveInt('ideas', values.ideas, 100),
        concurrency: Math.max(1, positiveInt('concurrency', values.concurrency, 16)),
        seed: positiveInt('seed', values.seed, 1),
        projectsPerEnvelope: positiveInt('projects-per-envelope', values['projects-per-envelope'], 12),
        paperSheets: positiveInt('paper', values.paper, Math.min(50, Math.ceil(voters / 200))),
        receiptSample: receipts,
        mailDomain: values['mail-domain'] ?? 'repetition.example',
        ...(values.bus ? { busUrl: values.bus } : {}),
        ...(values.deployed ? { deployed: true } : {}),
        ...(values['max-wait'] ? { maxWaitMs: parseDuration(values['max-wait']) } : {}),
        ...(values.region ? { region: values.region } : {}),
        ...(values.mailbox ? { mailboxUrl: values.mailbox } : {}),
        ...(values['mailbox-region'] ? { mailboxRegion: values['mailbox-region'] } : {}),
        ...(values.staff ? { staff: JSON.parse(await readFile(values.staff, 'utf8')) } : {}),
        log: (line) => io.out(line),
      };
    } catch (error) {
      io.err(`bp rehearse : ${(error as Error).message}`);
      return 2;
    }
    const { rehearse, printReport } = await import('../rehearse/driver.ts');
    const report = await rehearse(options);
    printReport(report, io.out);
    return report.invariants.every((i) => i.ok) ? 0 : 1;
  },
};
