import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type OutboxEvent,
  type OutboxPort,
  outboxEvent,
  publishOutbox,
} from '../../functions/ideas/idea-outbox.ts';
import type { EventPublisher } from '../../shared/events/event-publisher.ts';
import { directorySiteWriter, s3SiteWriter } from '../../shared/site/site-writer.ts';
import { s3UploadPresigner } from '../../shared/site/upload-presigner.ts';

function memoryOutbox(events: OutboxEvent[]): OutboxPort & { events: OutboxEvent[] } {
  return {
    events,
    async listPending() {
      return [...events];
    },
    async clearPending(event) {
      events.splice(events.indexOf(event), 1);
    },
  };
}

const published = (at: string) =>
  outboxEvent(
    'IdeaPublished',
    {
      edition: 'essai',
      moderationId: 'm-1',
      ideaId: 'i-1',
      authorIds: ['c-1'],
      publishedAt: at,
      actor: { kind: 'staff', sub: 's-1', role: 'moderator' },
    },
    { eventId: 'm-1', ideaId: 'i-1', at },
  );

describe('idea outbox', () => {
  it('leaves an event pending when the bus refuses it, and clears it once a later attempt publishes it', async () => {
    // Prepare
    const event = published('2026-03-01T10:00:00.000Z');
    const outbox = memoryOutbox([event]);
    const sent: unknown[] = [];
    const failures: string[] = [];
    const down: EventPublisher = {
      publish: async () => {
        throw new Error('bus down');
      },
    };
    const up: EventPublisher = {
      publish: async (contract, detail) => {
        sent.push({ type: contract.detailType, detail });
      },
    };
    // Act 1
    const first = await publishOutbox(
      { events: down, outbox, onPublishFailure: (e) => failures.push(e.eventId) },
      [event],
    );
    // Assess 1
    expect(first).toEqual({ published: 0, failed: 1 });
    expect(failures).toEqual(['m-1']);
    expect(outbox.events).toHaveLength(1);
    // Act 2
    const second = await publishOutbox({ events: up, outbox }, await outbox.listPending());
    // Assess 2
    expect(second).toEqual({ published: 1, failed: 0 });
    expect(outbox.events).toHaveLength(0);
    expect(sent).toEqual([
      { type: 'IdeaPublished', detail: expect.objectContaining({ moderationId: 'm-1' }) },
    ]);
  });

  it('refuses to store an event its contract would reject', () => {
    expect(() =>
      outboxEvent(
        'IdeaHidden',
        // biome-ignore lint/suspicious/noExplicitAny: a malformed detail on purpose
        { edition: 'essai', ideaId: 'i-1' } as any,
        { eventId: 'x', ideaId: 'i-1', at: '2026-03-01T10:00:00.000Z' },
      ),
    ).toThrow();
  });
});

describe('site writers', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('writes a data file into the served folder, whole, and refuses a key outside data/', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bp-site-'));
    try {
      const writer = directorySiteWriter(dir);
      await writer.putJson('data/ideas.json', { total: 1 }, { maxAgeSeconds: 30 });
      expect(JSON.parse(await readFile(join(dir, 'data', 'ideas.json'), 'utf8'))).toEqual({ total: 1 });
      expect(await readdir(join(dir, 'data'))).toEqual(['ideas.json']);
      await expect(writer.putJson('index.html', {}, { maxAgeSeconds: 30 })).rejects.toThrow(/outside data/);
      await expect(writer.putJson('data/../index.json', {}, { maxAgeSeconds: 30 })).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('presigns a 5-minute PUT of one picture whose type and size are signed', async () => {
    // Prepare
    const presigner = s3UploadPresigner({
      bucket: 'bp-site-bucket',
      client: new S3Client({
        region: 'eu-west-3',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        requestChecksumCalculation: 'WHEN_REQUIRED',
      }),
      now: () => new Date('2026-03-01T10:00:00Z'),
    });
    // Act
    const upload = await presigner.presignPut(
      'uploads/essai/idee-1/0b6f6c1e-7a53-4c2e-9d1c-8f1b2c3d4e5f.jpg',
      {
        contentType: 'image/jpeg',
        size: 123_456,
      },
    );
    // Assess
    const url = new URL(upload.url);
    expect(url.host).toBe('bp-site-bucket.s3.eu-west-3.amazonaws.com');
    expect(url.pathname).toBe('/uploads/essai/idee-1/0b6f6c1e-7a53-4c2e-9d1c-8f1b2c3d4e5f.jpg');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    // The pending tag is signed and kept a header: the upload expires unless an idea attaches it.
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-length;content-type;host;x-amz-tagging',
    );
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // No checksum the browser would have to send.
    expect([...url.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    expect(upload.headers).toEqual({ 'content-type': 'image/jpeg', 'x-amz-tagging': 'bp-picture=pending' });
    expect(upload.expiresAt).toBe('2026-03-01T10:05:00.000Z');
    await expect(presigner.presignPut('index.html', { contentType: 'text/html', size: 1 })).rejects.toThrow();
  });

  it('puts the file into the site bucket with a signed PutObject and the CDN cache lifetime', async () => {
    // Prepare: an HTTP server standing for S3 records what the SDK client sends.
    const requests: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        requests.push({ method: request.method, url: request.url, headers: request.headers, body });
        response.writeHead(200, { etag: '"x"' }).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const writer = s3SiteWriter({
      bucket: 'bp-site-bucket',
      client: new S3Client({
        region: 'eu-west-3',
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'tok' },
      }),
    });
    try {
      // Act
      await writer.putJson('data/ideas.json', { total: 0 }, { maxAgeSeconds: 30 });
      // Assess
      const [call] = requests;
      expect(call?.method).toBe('PUT');
      expect(call?.url?.split('?')[0]).toBe('/bp-site-bucket/data/ideas.json');
      expect(call?.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-3\/s3\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/,
      );
      expect(call?.headers['x-amz-security-token']).toBe('tok');
      expect(call?.headers['cache-control']).toBe('public, max-age=30');
      expect(call?.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(call?.body ?? '')).toEqual({ total: 0 });
      await expect(writer.putJson('index.html', {}, { maxAgeSeconds: 30 })).rejects.toThrow(/outside data/);
    } finally {
      server.close();
    }
  });
});
