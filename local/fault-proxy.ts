/**
 * An HTTP proxy between the functions and an emulator (DynamoDB Local, the SES emulator) that misbehaves
 * as AWS sometimes does: throttling, 500s, requests that never get an answer, answers that get lost
 * after the write was done, added latency. Decisions come from a seeded generator, so a run can be
 * replayed. It also counts what DynamoDB reports as consumed capacity, asking for it when the caller did
 * not (the cost benchmark runs it at rate 0 for that alone).
 *
 * Control API on the proxy itself: `GET /__local/faults` (stats), `POST /__local/faults` with
 * `{ "rate": 0 }` (or `kinds`) to change the injection while the stack runs.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { mulberry32 } from './mulberry32.ts';

export const DYNAMODB_FAULT_KINDS = [
  'throughput',
  'throttling',
  'server-error',
  'timeout',
  'response-lost',
  'latency',
] as const;
export const SES_FAULT_KINDS = ['throttling', 'server-error', 'latency'] as const;
export const FaultKind = z.enum(DYNAMODB_FAULT_KINDS);
export type FaultKind = z.infer<typeof FaultKind>;
export type ProxiedService = 'dynamodb' | 'ses';

export interface FaultOptions {
  /** Share of requests that get a fault, 0 to 1. */
  rate: number;
  /** @default 1 */
  seed?: number;
  /** @default every kind the service supports (`DYNAMODB_FAULT_KINDS`, `SES_FAULT_KINDS`) */
  kinds?: readonly FaultKind[];
  /** How long a `timeout` holds the request before resetting the socket. @default 1500 */
  holdMs?: number;
  /** Added delay of a `latency` fault. @default 300 */
  latencyMs?: number;
}

export interface FaultStats {
  service: ProxiedService;
  rate: number;
  requests: number;
  forwarded: number;
  injected: number;
  byKind: Partial<Record<FaultKind, number>>;
  /** Per DynamoDB operation (`x-amz-target` suffix) or SES path: requests and consumed capacity units. */
  operations: Record<string, { requests: number; capacityUnits: number; read: number; write: number }>;
}

export interface FaultProxy {
  readonly endpoint: string;
  stats(): FaultStats;
  set(change: { rate?: number; kinds?: readonly FaultKind[] }): void;
  stop(): Promise<void>;
}

const DYNAMO_TYPES = {
  throughput: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  throttling: 'com.amazon.coral.availability#ThrottlingException',
  'server-error': 'com.amazonaws.dynamodb.v20120810#InternalServerError',
} as const;

/** Operations that take `ReturnConsumedCapacity`. */
const CAPACITY_OPERATIONS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
]);
const READ_OPERATIONS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);

const Control = z.object({
  rate: z.number().min(0).max(1).optional(),
  kinds: z.array(FaultKind).min(1).optional(),
});

const Capacity = z.object({
  CapacityUnits: z.number().optional(),
  ReadCapacityUnits: z.number().optional(),
  WriteCapacityUnits: z.number().optional(),
});
const CapacityAnswer = z.looseObject({
  ConsumedCapacity: z.union([Capacity, z.array(Capacity)]).optional(),
});

export async function startFaultProxy(options: {
  service: ProxiedService;
  /** The emulator, `http://127.0.0.1:<port>`. */
  upstream: string;
  /** 0 picks a free port. */
  port?: number;
  faults: FaultOptions;
  /** Adds `ReturnConsumedCapacity: TOTAL` to DynamoDB requests that lack it, and sums what comes back. */
  countCapacity?: boolean;
}): Promise<FaultProxy> {
  const { service } = options;
  const upstream = new URL(options.upstream);
  const supported: readonly FaultKind[] = service === 'dynamodb' ? DYNAMODB_FAULT_KINDS : SES_FAULT_KINDS;
  const holdMs = options.faults.holdMs ?? 1500;
  const latencyMs = options.faults.latencyMs ?? 300;
  const random = mulberry32(options.faults.seed ?? 1);
  let rate = options.faults.rate;
  let kinds = pickKinds(options.faults.kinds);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const held = new Set<IncomingMessage>();
  const stats: FaultStats = {
    service,
    rate,
    requests: 0,
    forwarded: 0,
    injected: 0,
    byKind: {},
    operations: {},
  };

  function pickKinds(wanted: readonly FaultKind[] | undefined): FaultKind[] {
    // Kinds that make no sense for this service (a lost SES answer would send twice) are left out.
    return (wanted ?? supported).filter((kind) => supported.includes(kind));
  }

  const decide = (): FaultKind | undefined =>
    rate > 0 && kinds.length > 0 && random() < rate ? kinds[Math.floor(random() * kinds.length)] : undefined;

  const operationOf = (req: IncomingMessage) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') return target.split('.').pop() ?? target;
    return `${req.method} ${(req.url ?? '/').split('?')[0]?.replace(/\/[^/]*@[^/]*$/, '/{id}')}`;
  };

  function operation(name: string) {
    stats.operations[name] ??= { requests: 0, capacityUnits: 0, read: 0, write: 0 };
    return stats.operations[name];
  }

  function sendError(res: ServerResponse, kind: 'throughput' | 'throttling' | 'server-error') {
    const requestId = randomUUID();
    if (service === 'dynamodb') {
      const type = DYNAMO_TYPES[kind];
      const body = JSON.stringify({ __type: type, message: `Injected fault: ${kind}` });
      res.writeHead(kind === 'server-error' ? 500 : 400, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': requestId,
      });
      res.end(body);
      return;
    }
    // SESv2 is REST-JSON: the error type travels in a header.
    const throttled = kind !== 'server-error';
    const type = throttled ? 'TooManyRequestsException' : 'InternalFailure';
    const body = JSON.stringify({ message: `Injected fault: ${kind}` });
    res.writeHead(throttled ? 429 : 500, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-amzn-errortype': type,
      'x-amzn-requestid': requestId,
    });
    res.end(body);
  }

  /** Forwards the request; resolves with the upstream's status, headers and body. */
  function forward(req: IncomingMessage, body: Buffer) {
    return new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
      (resolve, reject) => {
        const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
        const outgoing = request(
          {
            agent,
            hostname: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers,
          },
          (answer) => {
            const chunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => chunks.push(chunk));
            answer.on('end', () =>
              resolve({
                status: answer.statusCode ?? 502,
                headers: answer.headers,
                body: Buffer.concat(chunks),
              }),
            );
            answer.on('error', reject);
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      },
    );
  }

  /** Asks DynamoDB for the capacity a request consumed, when the caller did not. */
  function withCapacity(name: string, body: Buffer): Buffer {
    if (!options.countCapacity || service !== 'dynamodb' || !CAPACITY_OPERATIONS.has(name)) return body;
    try {
      const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      if (parsed.ReturnConsumedCapacity && parsed.ReturnConsumedCapacity !== 'NONE') return body;
      return Buffer.from(JSON.stringify({ ...parsed, ReturnConsumedCapacity: 'TOTAL' }));
    } catch {
      return body;
    }
  }

  function countCapacity(name: string, status: number, body: Buffer) {
    if (!options.countCapacity || service !== 'dynamodb' || status !== 200) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return;
    }
    const answer = CapacityAnswer.safeParse(parsed);
    if (!answer.success || !answer.data.ConsumedCapacity) return;
    const entries = [answer.data.ConsumedCapacity].flat();
    const op = operation(name);
    for (const entry of entries) {
      const units = entry.CapacityUnits ?? (entry.ReadCapacityUnits ?? 0) + (entry.WriteCapacityUnits ?? 0);
      op.capacityUnits += units;
      if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
        op.read += entry.ReadCapacityUnits ?? 0;
        op.write += entry.WriteCapacityUnits ?? 0;
      } else if (READ_OPERATIONS.has(name)) op.read += units;
      else op.write += units;
    }
  }

  async function control(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    if (req.method === 'POST') {
      const change = Control.safeParse(body.length ? JSON.parse(body.toString('utf8')) : {});
      if (!change.success) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: z.prettifyError(change.error) }));
        return;
      }
      proxy.set(change.data);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(proxy.stats()));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if ((req.url ?? '').startsWith('/__local/faults')) return control(req, res, body);

    const name = operationOf(req);
    stats.requests++;
    operation(name).requests++;
    const fault = decide();
    if (fault) {
      stats.injected++;
      stats.byKind[fault] = (stats.byKind[fault] ?? 0) + 1;
    }
    switch (fault) {
      case 'throughput':
      case 'throttling':
      case 'server-error':
        sendError(res, fault);
        return;
      case 'timeout':
        // Never forwarded: held, then the connection drops with no answer, as a request the SDK gives up on.
        held.add(req);
        await sleep(holdMs);
        held.delete(req);
        req.socket.destroy();
        return;
      case 'latency':
        await sleep(latencyMs);
        break;
      default:
    }
    const answer = await forward(req, withCapacity(name, body));
    stats.forwarded++;
    countCapacity(name, answer.status, answer.body);
    if (fault === 'response-lost') {
      // The write happened upstream; the caller never learns it. Its retry must not do it twice.
      req.socket.destroy();
      return;
    }
    const headers = { ...answer.headers, 'content-length': String(answer.body.length) };
    delete headers['transfer-encoding'];
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `fault proxy: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const proxy: FaultProxy = {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ ...structuredClone(stats), rate }),
    set(change) {
      if (change.rate !== undefined) rate = change.rate;
      if (change.kinds) kinds = pickKinds(change.kinds);
    },
    async stop() {
      for (const req of held) req.socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
  return proxy;
}
