import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { EDGE_HEADERS, ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from '../shared/http/origin.ts';
import { allRoutes, routeKey } from '../shared/manifest.ts';

/** Invokes a function of the manifest by name, as Lambda would. */
export type Invoke = (functionName: string, event: unknown) => Promise<unknown>;

interface CompiledRoute {
  functionName: string;
  method: string;
  key: string;
  pattern: RegExp;
  names: string[];
}

/** API Gateway's HTTP API payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

function compileRoutes(): CompiledRoute[] {
  return allRoutes().map(({ fn, route }) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        const param = segment.match(/^\{(\w+)\}$/);
        if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1]);
        return '([^/]+)';
      })
      .join('/');
    return {
      functionName: fn.name,
      method: route.method,
      key: routeKey(route),
      pattern: new RegExp(`^${source}$`),
      names,
    };
  });
}

/** Decoded path parameters, or `undefined` when one is not valid percent-encoding (`%E0%A4%A`, `%`). */
function decodePathParameters(
  names: readonly string[],
  match: RegExpMatchArray,
): Record<string, string> | undefined {
  try {
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
  } catch {
    return undefined;
  }
}

function problem(res: ServerResponse, status: number, code: string, title: string, detail: string) {
  res.writeHead(status, { 'content-type': 'application/problem+json; charset=utf-8' });
  res.end(
    JSON.stringify({
      type: `https://budget-participatif.example/problems/${code}`,
      title,
      status,
      detail,
      code,
      errors: [],
    }),
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function isTextual(contentType: string | undefined): boolean {
  return (
    !contentType ||
    /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|x-www-form-urlencoded))/i.test(contentType)
  );
}

/**
 * Stand-in for API Gateway (HTTP API, payload 2.0) and CloudFront: the edge's headers (`shared/http/origin.ts`)
 * are set here and never taken from the client, then `/api/*` requests become
 * `APIGatewayProxyEventV2` events for the function the manifest routes them to; anything else is
 * the static site. Authorisation is not done here: the functions verify tokens themselves, as in AWS.
 */
export async function startHttpAdapter(options: {
  port: number;
  host?: string;
  invoke: Invoke;
  staticDir: string;
  /** Served as `/config.json`, as the Web stack deploys it next to the site. */
  siteConfig: () => unknown;
  /**
   * The origin secret CloudFront adds to API requests (`x-bp-origin-verify`).
   * @default none: the header is not added, and functions count clients by source IP
   */
  originSecret?: () => string;
  log?: (line: string) => void;
}): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const routes = compileRoutes();
  const host = options.host ?? '127.0.0.1';
  const staticRoot = resolve(options.staticDir);

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL) {
    const method = (req.method ?? 'GET').toUpperCase();
    let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
    for (const route of routes) {
      if (route.method !== method) continue;
      const match = url.pathname.match(route.pattern);
      if (!match) continue;
      const params = decodePathParameters(route.names, match);
      if (!params) {
        problem(res, 400, 'bad_request', 'Adresse invalide', 'L’adresse demandée est mal encodée.');
        return;
      }
      matched = { route, params };
      break;
    }
    if (!matched) {
      problem(res, 404, 'route_not_found', 'Introuvable', 'Cette adresse n’existe pas.');
      return;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      problem(res, 413, 'payload_too_large', 'Contenu trop volumineux', 'Le contenu envoyé dépasse 10 Mo.');
      return;
    }
    const headers: Record<string, string> = {};
    // Repeated headers are joined with commas, as API Gateway (payload 2.0) does: Node's `req.headers` keeps
    // only the first `Authorization` of a request that sends two, which API Gateway never does.
    for (const [name, values] of Object.entries(req.headersDistinct)) {
      if (values !== undefined) headers[name] = values.join(',');
    }
    // What CloudFront does: a client's copy of the edge's own headers never reaches the API; the edge adds
    // the viewer's address and the origin secret that proves the request came through it.
    for (const name of EDGE_HEADERS) delete headers[name];
    const viewerIp = req.socket.remoteAddress ?? '127.0.0.1';
    headers[VIEWER_ADDRESS_HEADER] = `${viewerIp}:${req.socket.remotePort ?? 0}`;
    const originSecret = options.originSecret?.();
    if (originSecret) headers[ORIGIN_VERIFY_HEADER] = originSecret;
    const textual = isTextual(headers['content-type']);
    const now = new Date();
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: matched.route.key,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
      ...(matched.route.names.length ? { pathParameters: matched.params } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? host,
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: matched.route.key,
        stage: '$default',
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
      },
      ...(body.length ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
      isBase64Encoded: body.length > 0 && !textual,
    };
    const started = performance.now();
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = (await options.invoke(matched.route.functionName, event)) as APIGatewayProxyStructuredResultV2;
    } catch {
      // What API Gateway answers when the integration itself fails.
      problem(res, 500, 'internal_error', 'Erreur interne', 'Une erreur inattendue est survenue.');
      return;
    }
    const status = result.statusCode ?? 200;
    options.log?.(
      `${method} ${url.pathname} → ${status} (${matched.route.functionName}, ${(performance.now() - started).toFixed(0)} ms)`,
    );
    // Node stamps `Date` from its own copy of the real clock; the process's `Date` is the one that follows
    // the local clock under `npm start` (time-shift.ts), so say that one, as API Gateway says AWS's time.
    const responseHeaders: Record<string, string | string[]> = { date: new Date().toUTCString() };
    for (const [name, value] of Object.entries(result.headers ?? {})) responseHeaders[name] = String(value);
    if (result.cookies?.length) responseHeaders['set-cookie'] = result.cookies;
    res.writeHead(status, responseHeaders);
    res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
  }

  async function handleStatic(res: ServerResponse, url: URL) {
    if (url.pathname === '/config.json') {
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.json'] as string, 'cache-control': 'no-cache' });
      res.end(JSON.stringify(options.siteConfig()));
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      decoded = '/\0';
    }
    let path = normalize(join(staticRoot, decoded));
    if (!path.startsWith(`${staticRoot}/`) && path !== staticRoot) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
      const content = await readFile(path);
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.end(content);
    } catch {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        '<!doctype html><html lang="fr"><title>Page introuvable</title><h1>Page introuvable</h1><p><a href="/">Retour à l’accueil</a></p></html>',
      );
    }
  }

  const server = createServer((req, res) => {
    // The Host header is the caller's to choose: never a base to parse with (`Host: [` threw here and
    // took the whole local stack down). A request target that is not a path is refused, as API Gateway does.
    const url = URL.canParse(`http://${host}${req.url ?? '/'}`)
      ? new URL(`http://${host}${req.url ?? '/'}`)
      : undefined;
    if (!url || !(req.url ?? '/').startsWith('/')) {
      problem(res, 400, 'bad_request', 'Requête invalide', 'L’adresse demandée est invalide.');
      return;
    }
    const work = url.pathname.startsWith('/api/') ? handleApi(req, res, url) : handleStatic(res, url);
    work.catch(() => {
      if (!res.headersSent)
        problem(res, 500, 'internal_error', 'Erreur interne', 'Une erreur inattendue est survenue.');
      else res.destroy();
    });
  });
  // Requests Node refuses before any handler (headers over 16 KiB, malformed request lines) get a
  // problem+json too, instead of Node's bare `400`/`431` text.
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: `https://budget-participatif.example/problems/${tooLarge ? 'headers_too_large' : 'bad_request'}`,
      title: tooLarge ? 'En-têtes trop volumineux' : 'Requête invalide',
      status,
      detail: tooLarge ? 'Les en-têtes de la requête sont trop volumineux.' : 'La requête est mal formée.',
      code: tooLarge ? 'headers_too_large' : 'bad_request',
      errors: [],
    });
    // An answer to HEAD has no body (RFC 9110 §9.3.2), as API Gateway's: bytes after its headers would be
    // read by the client as the start of the next answer. The request line is all Node parsed; when even
    // the method cannot be read, the answer has no body either (safe for any method).
    const method = /^([A-Z]+) /.exec(error.rawPacket?.toString('latin1', 0, 16) ?? '')?.[1];
    const withBody = method !== undefined && method !== 'HEAD';
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        'content-type: application/problem+json; charset=utf-8\r\n' +
        `content-length: ${withBody ? Buffer.byteLength(body) : 0}\r\nconnection: close\r\n\r\n${withBody ? body : ''}`,
    );
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolvePromise());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host}:${port}`,
    server,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}
