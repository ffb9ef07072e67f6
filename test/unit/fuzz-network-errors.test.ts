import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runFuzz, summaryLine } from '../fuzz/run-fuzz.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server that answers every request with `answer` and closes the connection. */
async function rawServer(answer: string): Promise<string> {
  server = createServer((socket) => {
    socket.once('data', () => socket.end(answer));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

const fuzz = (siteUrl: string) =>
  runFuzz({
    siteUrl,
    edition: 'essai',
    internalNames: [],
    callers: [{ name: 'anonymous', roles: [] }],
    seed: 4242,
    numRuns: 20,
    concurrency: 2,
    safe: true,
  });

describe('test:fuzz counts what goes wrong below HTTP', () => {
  it('counts unparsable answers as network errors, in the summary line with the seed', async () => {
    const report = await fuzz(await rawServer('NOT HTTP AT ALL\r\n\r\n'));
    expect(report.networkErrors).toBe(report.requests);
    expect(report.findings.filter((f) => f.problem === 'network')).toHaveLength(report.requests);
    expect(summaryLine(report)).toMatch(/^fuzz: seed=4242 requests=20 .*network_errors=20$/);
  });

  it('counts connections reset before any answer', async () => {
    server = createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    const report = await fuzz(`http://127.0.0.1:${address.port}`);
    expect(report.networkErrors).toBe(report.requests);
  });

  it('counts nothing when every answer is well-formed HTTP', async () => {
    const body = '{"status":404,"code":"not_found","title":"Introuvable"}';
    const report = await fuzz(
      await rawServer(
        `HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      ),
    );
    expect(report.networkErrors).toBe(0);
    expect(summaryLine(report)).toContain('network_errors=0');
  });
});
