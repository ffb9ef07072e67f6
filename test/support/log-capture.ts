import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Captures the structured (JSON) log lines the functions write to this process's stdout and stderr (the
 * local stack runs every handler in the global-setup process), and serves them over HTTP so that a test
 * file, in another worker, can read them: `GET /` (lines since the last clear), `POST /clear`.
 * Other output passes through untouched.
 */
export async function startLogCapture(): Promise<{ url: string; stop(): Promise<void> }> {
  let lines: string[] = [];
  const restore: (() => void)[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const json = text.split('\n').filter((line) => line.startsWith('{') && line.includes('"level"'));
      if (json.length) {
        lines.push(...json);
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
    res.end(JSON.stringify(req.method === 'POST' ? [] : lines));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const undo of restore) undo();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
