import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultOptions, type FaultProxy, startFaultProxy } from '../../local/fault-proxy.ts';
import { isTransientAwsError } from '../../shared/errors/transient-error.ts';
import { httpHandler } from '../../shared/http/http-handler.ts';
import { createLogger } from '../../shared/logging/logger.ts';
import { EDITIONS_SLICE } from '../../shared/manifest-slices/editions.generated.ts';

/** A stand-in for DynamoDB Local: an empty GetItem answer, with capacity when asked for it. */
let upstream: Server;
let upstreamUrl: string;
const received: Record<string, unknown>[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      received.push(body);
      const answer =
        body.ReturnConsumedCapacity === 'TOTAL'
          ? { ConsumedCapacity: { TableName: 't', CapacityUnits: 0.5 } }
          : {};
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

let proxy: FaultProxy | undefined;
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
  received.length = 0;
});

async function dynamoThrough(faults: FaultOptions, countCapacity = false) {
  proxy = await startFaultProxy({ service: 'dynamodb', upstream: upstreamUrl, faults, countCapacity });
  const client = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // One attempt: the test looks at what the SDK makes of one injected answer.
    maxAttempts: 1,
    requestHandler: { requestTimeout: 3000, throwOnRequestTimeout: true },
  });
  const get = () => client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } }));
  return { proxy, client, get };
}

describe('fault proxy', () => {
  it('answers a throughput fault with the JSON type the SDK turns into a retryable ProvisionedThroughputExceededException', async () => {
    // Prepare
    const { get, client } = await dynamoThrough({ rate: 1, kinds: ['throughput'] });

    // Act
    const error = await get().catch((e: unknown) => e);
    client.destroy();

    // Assess
    expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(isTransientAwsError(error)).toBe(true);
    expect(received).toHaveLength(0);
  });

  it('answers a throttling fault as ThrottlingException and a server fault as a 500 the client sees as transient', async () => {
    // Prepare
    const { get, client, proxy: faults } = await dynamoThrough({ rate: 1, kinds: ['throttling'] });

    // Act
    const throttled = await get().catch((e: unknown) => e);
    faults.set({ kinds: ['server-error'] });
    const failed = await get().catch((e: unknown) => e);
    client.destroy();

    // Assess
    expect((throttled as Error).name).toBe('ThrottlingException');
    expect((failed as Error).name).toBe('InternalServerError');
    expect(isTransientAwsError(throttled) && isTransientAwsError(failed)).toBe(true);
  });

  it('does the write upstream but loses its answer on a response-lost fault', async () => {
    // Prepare
    const { get, client } = await dynamoThrough({ rate: 1, kinds: ['response-lost'] });

    // Act
    const error = await get().catch((e: unknown) => e);
    client.destroy();

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(isTransientAwsError(error)).toBe(true);
    expect(received).toHaveLength(1);
  });

  it('stops injecting once switched off through its control endpoint', async () => {
    // Prepare
    const { get, client, proxy: faults } = await dynamoThrough({ rate: 1, kinds: ['throttling'] });
    await expect(get()).rejects.toThrow();

    // Act
    const control = await fetch(`${faults.endpoint}/__local/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rate: 0 }),
    });
    const answer = await get();
    client.destroy();

    // Assess
    expect(control.status).toBe(200);
    expect(answer.$metadata.httpStatusCode).toBe(200);
    expect(faults.stats()).toMatchObject({ rate: 0, requests: 2, injected: 1, byKind: { throttling: 1 } });
  });

  it('injects at about the configured rate, and the same seed replays the same decisions', async () => {
    // Prepare
    const run = async () => {
      const faults = await startFaultProxy({
        service: 'dynamodb',
        upstream: upstreamUrl,
        faults: { rate: 0.1, seed: 42, kinds: ['server-error'] },
      });
      const statuses: number[] = [];
      for (let i = 0; i < 200; i++) {
        const response = await fetch(faults.endpoint, { method: 'POST', body: '{}' });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
      await faults.stop();
      return statuses;
    };

    // Act
    const first = await run();
    const second = await run();

    // Assess
    const injected = first.filter((status) => status === 500).length;
    expect(injected).toBeGreaterThan(8);
    expect(injected).toBeLessThan(35);
    expect(second).toEqual(first);
  });

  it('asks DynamoDB for the consumed capacity and sums it per operation', async () => {
    // Prepare
    const { get, client, proxy: faults } = await dynamoThrough({ rate: 0 }, true);

    // Act
    await get();
    await get();
    client.destroy();

    // Assess
    expect(received[0]?.ReturnConsumedCapacity).toBe('TOTAL');
    expect(faults.stats().operations.GetItem).toEqual({ requests: 2, capacityUnits: 1, read: 1, write: 0 });
  });

  it('throttles SES as SESv2 does: 429 with the TooManyRequestsException error type', async () => {
    // Prepare
    proxy = await startFaultProxy({
      service: 'ses',
      upstream: upstreamUrl,
      faults: { rate: 1, kinds: ['throttling', 'response-lost'] },
    });

    // Act
    const response = await fetch(`${proxy.endpoint}/v2/email/outbound-emails`, {
      method: 'POST',
      body: '{}',
    });
    await response.arrayBuffer();

    // Assess: a lost SES answer would send the email twice, so that kind never applies to SES.
    expect(response.status).toBe(429);
    expect(response.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(proxy.stats().byKind).toEqual({ throttling: 1 });
  });

  it('makes the HTTP stack answer 503 problem+json with Retry-After when DynamoDB throttles past the SDK retries', async () => {
    // Prepare
    const { get, client } = await dynamoThrough({ rate: 1, kinds: ['throughput'] });
    const logger = createLogger('test');
    logger.setLogLevel('SILENT');
    const handler = httpHandler({
      access: EDITIONS_SLICE.routes,
      logger,
      verifyToken: async () => undefined as never,
      routes: {
        'GET /api/health': async () => {
          await get();
          return { body: { status: 'ok' } };
        },
      },
    });
    const event = {
      version: '2.0',
      routeKey: 'GET /api/health',
      rawPath: '/api/health',
      rawQueryString: '',
      headers: {},
      requestContext: { http: { method: 'GET', path: '/api/health', sourceIp: '127.0.0.1' } },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;

    // Act
    const response = await handler(event as never, {} as Context);
    client.destroy();

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers?.['retry-after']).toBe('2');
    expect(JSON.parse(response.body ?? '{}')).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(response.body).not.toContain('Throughput');
  });
});
