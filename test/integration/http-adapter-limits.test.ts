import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';

const stack = inject('stack');
const site = new URL(stack.siteUrl);
const padding = 'a'.repeat(64 * 1024);

/** Everything the server writes back to one raw request, until it closes the connection. */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(site.port), site.hostname, () => socket.end(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
  });
}

const requestText = (method: string) =>
  `${method} /api/editions/${stack.edition} HTTP/1.1\r\nhost: ${site.host}\r\nx-padding: ${padding}\r\n\r\n`;

describe('the local HTTP adapter answers oversized headers like API Gateway', () => {
  it('answers a HEAD with 64 KiB of headers with a 431 and no body after it', async () => {
    const answer = await raw(requestText('HEAD'));
    const [head, ...rest] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(rest.join('\r\n\r\n')).toBe('');
  });

  it('answers a GET with 64 KiB of headers with a 431 problem+json', async () => {
    const answer = await raw(requestText('GET'));
    const [head, body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(body)).toMatchObject({ status: 431, code: 'headers_too_large' });
  });

  it('leaves a keep-alive client able to read the next answer after such a HEAD', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = (method: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            agent,
            host: site.hostname,
            port: site.port,
            method,
            path: `/api/editions/${stack.edition}`,
            headers,
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      expect(await send('HEAD', { 'x-padding': padding })).toBe(431);
      expect(await send('GET', {})).toBe(200);
    } finally {
      agent.destroy();
    }
  });
});
