import { Agent, request as httpRequest } from 'node:http';
import type { Caller } from './callers.ts';
import { type FuzzRequest, planRequests } from './requests.ts';

export interface FuzzOptions {
  /** Site and API origin of a running local stack. */
  readonly siteUrl: string;
  readonly edition: string;
  /** Physical names that must never reach a client (the table's, say). */
  readonly internalNames: readonly string[];
  readonly callers: readonly Caller[];
  readonly seed: number;
  readonly numRuns: number;
  /** @default 8 */
  readonly concurrency?: number;
  /** See `PlanOptions.safe`. @default false */
  readonly safe?: boolean;
}

export interface FuzzFinding {
  readonly problem: '5xx' | 'leak' | 'authz' | 'not-problem-json' | 'network';
  readonly detail: string;
  readonly request: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly requests: number;
  readonly fiveXx: number;
  readonly leaks: number;
  readonly authzViolations: number;
  readonly notProblemJson: number;
  readonly networkErrors: number;
  readonly byStatus: Record<string, number>;
  /** The slowest requests, to keep the run short. */
  readonly slowest: { ms: number; request: string }[];
  readonly findings: FuzzFinding[];
}

/**
 * What must never reach a client: stack frames, file paths, exception class names, AWS and DynamoDB
 * internals. Checked on every error answer, and (minus what a caller may legitimately have typed and seen
 * echoed, like "TypeError" in an idea title) on every answer.
 */
const ALWAYS_LEAKS: readonly [string, RegExp][] = [
  ['stack frame', /\bat (?:async )?[\w$.<>]+ \(?(?:file:|node:|\/)[^)\s]*:\d+:\d+\)?/],
  ['file path', /(?:\/work\/|\/home\/|\/tmp\/|\/var\/task\/|node_modules\/|[A-Z]:\\\\)/],
  ['source file', /\b[\w-]+\.(?:ts|mjs|cjs):\d+/],
  ['aws arn', /\barn:aws[\w-]*:/],
];
const ERROR_LEAKS: readonly [string, RegExp][] = [
  ...ALWAYS_LEAKS,
  [
    'exception class',
    /\b(?:TypeError|RangeError|SyntaxError|ReferenceError|URIError|ZodError|[A-Z]\w+Exception|TransactionCanceled|ConditionalCheckFailed)\b/,
  ],
  [
    'aws internals',
    /\b(?:DynamoDB|dynamodb|Dynamo|AttributeValue|ExpressionAttribute|KeyConditionExpression|\$metadata|requestId|x-amz-|Secrets ?Manager|SESv2|EventBridge|Cognito)\b/,
  ],
  [
    'internal key',
    /\b(?:pk|sk|gsi1pk|gsi1sk)\b"?\s*:|(?:EDITION|CITIZEN|IDEMAIL|IDCODE|BALLOT|VOTER|TURNOUT)#/,
  ],
];

function describe(request: FuzzRequest): string {
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [
      name,
      [value].flat().map((v) => (v.length > 120 ? `${v.slice(0, 60)}…(${v.length} chars)` : v)),
    ]),
  );
  const body =
    request.body === undefined
      ? 'none'
      : Buffer.isBuffer(request.body)
        ? `<${request.body.length} bytes: ${request.body.subarray(0, 40).toString('hex')}>`
        : request.body.length > 300
          ? `${JSON.stringify(request.body.slice(0, 200))}…(${request.body.length} chars)`
          : JSON.stringify(request.body);
  const path = request.path.length > 200 ? `${request.path.slice(0, 200)}…` : request.path;
  return `${request.method} ${path} as ${request.caller.name} [${request.kind}] headers=${JSON.stringify(headers)} body=${body}`;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** A failure below HTTP (reset, unparsable answer, timeout), and whether it came on a reused keep-alive socket. */
class NetworkError extends Error {
  readonly code: string | undefined;
  constructor(
    cause: Error & { code?: string },
    readonly reusedSocket: boolean,
  ) {
    super(cause.code ? `${cause.code}: ${cause.message}` : cause.message, { cause });
    this.code = cause.code;
  }
}

function send(agent: Agent, base: URL, request: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { ...request.headers };
    if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
    const req = httpRequest(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: request.method,
        path: request.path,
        headers,
        timeout: 30_000,
        insecureHTTPParser: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (error) => reject(new NetworkError(error, req.reusedSocket)));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout after 30 s')));
    req.on('error', (error) => reject(new NetworkError(error, req.reusedSocket)));
    req.end(request.body);
  });
}

/**
 * The one network error that is not the server's fault: a keep-alive socket it closed while idle, reset
 * as the next request went out on it. Anything else (a parse error of the answer, a reset on a fresh
 * connection, a timeout) is a finding.
 */
function benignRace(error: unknown): boolean {
  return error instanceof NetworkError && error.reusedSocket && error.code === 'ECONNRESET';
}

function allowed(request: FuzzRequest): boolean {
  const { route } = request;
  if (!route) return false;
  return (
    route.access === 'public' ||
    request.caller.roles.some((role) => (route.access as readonly string[]).includes(role))
  );
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Judges one answer; returns the problems found (none for a good answer). */
export function judge(
  request: FuzzRequest,
  answer: Answer,
  internalNames: readonly string[],
): Omit<FuzzFinding, 'request'>[] {
  const found: Omit<FuzzFinding, 'request'>[] = [];
  const excerpt = answer.body.length > 400 ? `${answer.body.slice(0, 400)}…` : answer.body;
  if (answer.status >= 500) found.push({ problem: '5xx', detail: `${answer.status} ${excerpt}` });
  if (answer.status < 400 && request.route && !allowed(request))
    found.push({ problem: 'authz', detail: `${answer.status} to a caller the manifest does not allow` });
  // The API answers problem+json; the static site (any other path) its HTML page.
  if (answer.status >= 400 && request.method !== 'HEAD' && request.path.startsWith('/api/')) {
    let problemShaped = false;
    try {
      const parsed = JSON.parse(answer.body) as Record<string, unknown>;
      problemShaped =
        parsed.status === answer.status &&
        typeof parsed.code === 'string' &&
        typeof parsed.title === 'string';
    } catch {
      problemShaped = false;
    }
    if (!/^application\/problem\+json\b/.test(answer.contentType) || !problemShaped)
      found.push({
        problem: 'not-problem-json',
        detail: `${answer.status} content-type=${answer.contentType || '(none)'} ${excerpt}`,
      });
  }
  const sent = typeof request.body === 'string' ? request.body : '';
  const patterns = answer.status >= 400 ? ERROR_LEAKS : ALWAYS_LEAKS;
  for (const [what, pattern] of patterns) {
    const match = answer.body.match(pattern);
    // What the caller sent and sees again (an idea's own title, say) is not a leak.
    if (match && !sent.includes(match[0]) && !decodedPath(request.path).includes(match[0]))
      found.push({ problem: 'leak', detail: `${what}: ${JSON.stringify(match[0])} in ${excerpt}` });
  }
  for (const name of internalNames)
    if (name && answer.body.includes(name)) found.push({ problem: 'leak', detail: `internal name ${name}` });
  return found;
}

/** Sends the plan of `seed` to the stack and judges every answer. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const plan = planRequests(
    { edition: options.edition, callers: options.callers, safe: options.safe ?? false },
    options.seed,
    options.numRuns,
  );
  const base = new URL(options.siteUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 8 });
  const findings: FuzzFinding[] = [];
  const byStatus: Record<string, number> = {};
  let next = 0;
  let networkErrors = 0;
  const slowest: FuzzReport['slowest'] = [];
  await Promise.all(
    Array.from({ length: options.concurrency ?? 8 }, async () => {
      while (next < plan.length) {
        const request = plan[next++] as FuzzRequest;
        let answer: Answer | undefined;
        const started = performance.now();
        try {
          answer = await send(agent, base, request);
        } catch (error) {
          if (!benignRace(error)) {
            networkErrors++;
            findings.push({
              problem: 'network',
              detail: (error as Error).message,
              request: describe(request),
            });
            continue;
          }
          // Sent again on a fresh connection: if that fails too, it counts.
          try {
            answer = await send(new Agent({ keepAlive: false }), base, request);
          } catch (again) {
            networkErrors++;
            findings.push({
              problem: 'network',
              detail: (again as Error).message,
              request: describe(request),
            });
            continue;
          }
        }
        byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
        slowest.push({
          ms: Math.round(performance.now() - started),
          request: `${request.method} ${request.route?.path ?? request.path.slice(0, 80)} [${request.kind}]`,
        });
        slowest.sort((a, b) => b.ms - a.ms).splice(5);
        for (const finding of judge(request, answer, options.internalNames))
          findings.push({ ...finding, request: describe(request) });
      }
    }),
  );
  agent.destroy();
  const count = (problem: FuzzFinding['problem']) => findings.filter((f) => f.problem === problem).length;
  return {
    seed: options.seed,
    requests: plan.length,
    fiveXx: count('5xx'),
    leaks: count('leak'),
    authzViolations: count('authz'),
    notProblemJson: count('not-problem-json'),
    networkErrors,
    byStatus,
    slowest,
    findings,
  };
}

/**
 * The last line `npm run test:fuzz` prints: the seed to replay the run, and every kind of finding, network
 * errors (resets, unparsable answers, timeouts) included. The run fails when any count is not 0.
 */
export function summaryLine(report: FuzzReport): string {
  return `fuzz: seed=${report.seed} requests=${report.requests} 5xx=${report.fiveXx} leaks=${report.leaks} authz_violations=${report.authzViolations} not_problem_json=${report.notProblemJson} network_errors=${report.networkErrors}`;
}
