import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NANTAISE } from './identity.ts';

/** A kind of personal data and how it shows in a log line. */
const PERSONAL_DATA: readonly [string, RegExp][] = [
  ['email address', /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/],
  // A calendar date before 2010 is a birth date here: the product's own dates (editions, logs) are later.
  ['birth date', /\b(?:19\d\d|200\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b/],
  [
    'personal field',
    /"(?:email|firstName|lastName|birthDate|givenName|familyName|phone|address)"\s*:\s*"[^"]/i,
  ],
  // The names the test fixtures give people (test/support/identity.ts, citizens.ts, identity-logs.test.ts).
  ['fixture name', new RegExp(`${NANTAISE.lastName}|Quéméneur|Gwenaëlle|"Votant"|Essai [0-9a-f]{8}`, 'i')],
];

/** The personal data found in `lines`: which kind, in which line (truncated). */
export function personalDataIn(lines: readonly string[]): { kind: string; line: string }[] {
  return lines.flatMap((line) =>
    PERSONAL_DATA.filter(([, pattern]) => pattern.test(line)).map(([kind]) => ({
      kind,
      line: line.length > 300 ? `${line.slice(0, 300)}…` : line,
    })),
  );
}

/**
 * Captures the structured (JSON) log lines the functions write to this process's stdout and stderr (each test
 * file runs its own stack, handlers included, in its own worker process: test/support/file-stack.ts), and serves
 * them over HTTP so that a test can read them: `GET /` (lines since the last clear), `POST /clear`,
 * `GET /personal-data` (what `personalDataIn` finds in every line of the file, clears included).
 * Other output passes through untouched.
 *
 * `stop()` restores the streams and returns what was found: the caller turns personal data in a log line into a
 * failure (ARCHITECTURE.md: no personal data in logs).
 */
export async function startLogCapture(): Promise<{
  url: string;
  stop(): Promise<{ total: number; found: { kind: string; line: string }[] }>;
}> {
  let lines: string[] = [];
  let total = 0;
  const found: { kind: string; line: string }[] = [];
  const restore: (() => void)[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const json = text.split('\n').filter((line) => line.startsWith('{') && line.includes('"level"'));
      if (json.length) {
        lines.push(...json);
        total += json.length;
        found.push(...personalDataIn(json));
        return true;
      }
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = original as typeof stream.write;
    });
  }
  const server = createServer((req, res) => {
    if (req.method === 'POST') lines = [];
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.method === 'GET' && req.url === '/personal-data') res.end(JSON.stringify(found));
    else res.end(JSON.stringify(req.method === 'POST' ? [] : lines));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const undo of restore) undo();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return { total, found: [...found] };
    },
  };
}
