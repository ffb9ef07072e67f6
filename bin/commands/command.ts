/** Where a command writes: stdout for results, stderr for problems. Injected so commands can be tested in-process. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** What `bp --help` shows of a command: listed in `bin/commands/catalog.ts`, which loads the code only when run. */
export interface CommandInfo {
  /** The words typed after `bp`, e.g. `['edition', 'validate']`. */
  readonly path: readonly string[];
  /** Arguments after the path, for the usage line, e.g. `<fichier>...`. */
  readonly args: string;
  /** One French line for `bp --help`. */
  readonly summary: string;
}

/**
 * One `bp` command. `bin/bp.ts` routes `bp <path...> [args]` to the command whose `path` matches the first
 * words, and hands it the remaining arguments to parse with `node:util` `parseArgs`.
 */
export interface Command extends CommandInfo {
  /** Returns the process exit code. */
  run(argv: string[], io: CommandIo): Promise<number>;
}
