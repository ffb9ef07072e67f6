/**
 * The ops CLI: `npx bp <commande> [arguments]`. Each command lives in `bin/commands/` and is listed in
 * `commands/catalog.ts`; this file only routes the first words to it and prints the usage.
 */
import { parseArgs } from 'node:util';
import { COMMANDS } from './commands/catalog.ts';
import type { CommandInfo, CommandIo } from './commands/command.ts';

function usage(commands: readonly CommandInfo[]): string[] {
  const rows = commands.map((c) => [`bp ${[...c.path, c.args].join(' ')}`, c.summary]);
  const width = Math.max(...rows.map(([left]) => left?.length ?? 0));
  return [
    'Usage : bp <commande> [arguments]',
    '',
    'Commandes :',
    ...rows.map(([left, right]) => `  ${(left ?? '').padEnd(width)}   ${right}`),
    '',
    'Options : -h, --help   affiche cette aide',
  ];
}

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const entry = COMMANDS.find((c) => c.path.every((word, i) => argv[i] === word));
  // Flags are parsed by the command itself; here only the help flag matters, wherever it stands.
  const { values } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: false,
  });
  if (entry && !values.help) {
    const command = await entry.load();
    try {
      return await command.run(argv.slice(command.path.length), io);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code?.startsWith('ERR_PARSE_ARGS_')) {
        const option = (error as Error).message.match(/option '([^']+)'/)?.[1];
        const reason = option ? `option inconnue « ${option} »` : 'arguments mal formés';
        io.err(`bp ${command.path.join(' ')} : ${reason}`);
        io.err(`Usage : bp ${[...command.path, command.args].join(' ')}`);
        return 2;
      }
      throw error;
    }
  }

  const prefix = argv.filter((arg) => !arg.startsWith('-'));
  const matching = COMMANDS.filter((c) =>
    c.path.every((word, i) => i >= prefix.length || prefix[i] === word),
  );
  const lines = usage(matching.length > 0 ? matching : COMMANDS);
  if (values.help || argv.length === 0) {
    for (const line of lines) io.out(line);
    return 0;
  }
  io.err(`${matching.length > 0 ? 'Commande incomplète' : 'Commande inconnue'} : bp ${argv.join(' ')}`);
  for (const line of lines) io.err(line);
  return 2;
}

// `bp edition show x.json | head` closes the pipe early: that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
