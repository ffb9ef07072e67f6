import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allSecrets, FUNCTIONS } from '../../shared/manifest.ts';
import { buildApp, fixtureConfig } from './build-edition.ts';

type BundledFunction = {
  Properties: { Code: { S3Key: string }; Environment: { Variables: Record<string, unknown> } };
};

/** Real esbuild bundling, for the functions stack only: made once for the file, as `cdk synth` makes it. */
const built = (() => {
  let result:
    | { config: ReturnType<typeof fixtureConfig>; directory: string; functions: BundledFunction[] }
    | undefined;
  return () => {
    if (!result) {
      const config = fixtureConfig();
      const { app, editions } = buildApp([config], { bundle: [`Bp-${config.id}-Functions`] });
      const template = editions[0]?.templates.functions;
      const assembly = app.synth();
      const functions = Object.values(
        template?.findResources('AWS::Lambda::Function') ?? {},
      ) as BundledFunction[];
      result = { config, directory: assembly.directory, functions };
    }
    return result;
  };
})();

/** The bundle CDK made for one function of the manifest. */
function bundleOf(name: string): string {
  const { directory, functions } = built();
  const fn = functions.find(
    ({ Properties }) => Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === name,
  );
  if (!fn) throw new Error(`no bundle for ${name}`);
  return join(directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.js');
}

describe('function bundles', () => {
  it('bundles each handler as a minified CommonJS module, its source map beside the asset and not in it', () => {
    // Prepare, Act: real esbuild bundling, for the functions stack only.
    const { config, directory, functions } = built();
    const assembly = { directory };

    // Assess
    expect(
      functions.map(({ Properties }) => Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).sort(),
    ).toEqual(FUNCTIONS.map((fn) => fn.name).sort());
    for (const { Properties } of functions) {
      const name = String(Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME);
      expect(Properties.Environment.Variables.NODE_OPTIONS, name).toBeUndefined();
      const dir = join(assembly.directory, `asset.${Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      // The deployed zip holds the bundle alone: no source map to fetch and parse at a cold start.
      expect(readdirSync(dir), name).toEqual(['index.js']);
      const code = readFileSync(join(dir, 'index.js'), 'utf8');
      // CommonJS, with the SDK bundled: only S3 (two rare routes) is left to the runtime, `require`d when needed
      // (and the optional CRT signer the SDK tries, in a `try`, for SigV4a only).
      expect(code).toMatch(/module\.exports\s*=\s*\{\s*handler\s*\}/);
      const leftToRuntime = new Set([
        '@aws-sdk/client-s3',
        '@aws-sdk/s3-request-presigner',
        '@aws-sdk/signature-v4-crt',
      ]);
      expect(
        [...code.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)]
          .map((match) => match[1])
          .filter((id) => !leftToRuntime.has(id as string)),
        name,
      ).toEqual([]);
      expect(code, name).not.toContain('require("@aws-sdk/client-dynamodb")');
      expect(code).not.toMatch(/\bimport\s*\{|\bexport\s*\{/);
      expect(code).not.toContain('sourceMappingURL');
      // Minified: far fewer lines than characters would allow for readable code.
      expect(code.split('\n').length).toBeLessThan(code.length / 200);

      // The map sits in the assembly, named after the bundle's hash, with positions but not our source text.
      const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
      const map = JSON.parse(
        readFileSync(join(assembly.directory, 'source-maps', config.id, name, `${hash}.js.map`), 'utf8'),
      ) as { sources: string[]; mappings: string; sourcesContent?: unknown };
      expect(map.mappings.length, name).toBeGreaterThan(1000);
      expect(map.sourcesContent).toBeUndefined();
      const entry = FUNCTIONS.find((fn) => fn.name === name)?.entry;
      expect(map.sources.some((source) => source.endsWith(entry as string))).toBe(true);
      // Paris time with Intl, not date-fns (~26 kB); the function's manifest slice, not the whole manifest
      // (~16 kB), except where the OpenAPI document is built from every route.
      expect(
        map.sources.filter((source) => source.includes('node_modules/date-fns')),
        name,
      ).toEqual([]);
      expect(
        map.sources.some((source) => source.endsWith('shared/manifest.ts')),
        name,
      ).toBe(name === 'editions');
      // The SDK's credential chain is the environment's alone: no profile files, SSO, STS or metadata clients.
      const sdkPackages = new Set(
        map.sources.flatMap((source) => /node_modules\/@aws-sdk\/([^/]+)/.exec(source)?.[1] ?? []),
      );
      expect(sdkPackages.has('client-dynamodb'), name).toBe(true);
      expect(sdkPackages.has('credential-provider-env'), name).toBe(true);
      for (const chain of [
        'credential-provider-node',
        'credential-provider-ini',
        'credential-provider-sso',
        'nested-clients',
      ]) {
        expect(sdkPackages.has(chain), `${name} carries ${chain}`).toBe(false);
      }
      // Validation uses zod/mini (tree-shaken): the classic API would add ~70 kB to every bundle.
      expect(
        map.sources.filter((source) => source.includes('zod/v4/classic/')),
        name,
      ).toEqual([]);
    }
  });

  it('signs its requests with the credentials of the environment, and looks for none elsewhere', async () => {
    // Prepare: a stand-in for every AWS endpoint that records who signed each request, and a profile file with
    // other credentials that the SDK's default chain would have read.
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'ValidationException', message: 'stand-in' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const home = mkdtempSync(join(tmpdir(), 'bp-bundle-home-'));
    mkdirSync(join(home, '.aws'));
    writeFileSync(
      join(home, '.aws', 'credentials'),
      '[default]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = profile-secret\n',
    );
    const bundle = bundleOf('voting');
    // One GET /turnout through the handler: its first request reads the origin secret and the phase.
    const script = `const { handler } = require(${JSON.stringify(bundle)});
      handler({ version: '2.0', routeKey: 'GET /api/editions/{edition}/turnout', rawPath: '/api/editions/e/turnout',
        rawQueryString: '', headers: {}, pathParameters: { edition: 'e' },
        requestContext: { http: { method: 'GET', path: '/api/editions/e/turnout', sourceIp: '127.0.0.1' }, requestId: 'r', timeEpoch: Date.now() },
        isBase64Encoded: false }, { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 })
        .then((answer) => process.stdout.write(String(answer?.statusCode)), (error) => process.stdout.write('threw ' + error.name));`;
    const run = (credentials: Record<string, string>) =>
      new Promise<string>((resolve) => {
        // Asynchronous, so that the stand-in answers while the child waits.
        execFile(
          process.execPath,
          ['-e', script],
          {
            env: {
              PATH: process.env.PATH ?? '',
              HOME: home,
              AWS_REGION: 'eu-west-3',
              AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
              AWS_MAX_ATTEMPTS: '1',
              TABLE_NAME: 'table',
              EVENT_BUS_NAME: 'bus',
              EDITION_ID: 'e',
              MAIL_FROM: 'budget@example.org',
              SITE_URL: 'https://example.org',
              STAFF_ISSUER: 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_test',
              STAFF_AUDIENCE: 'client',
              POWERTOOLS_LOG_LEVEL: 'CRITICAL',
              ...Object.fromEntries(
                allSecrets().map(({ secret }) => [
                  secret.env,
                  `arn:aws:secretsmanager:eu-west-3:000000000000:secret:${secret.id}`,
                ]),
              ),
              ...credentials,
            },
            timeout: 30_000,
          },
          (_error, stdout) => resolve(stdout),
        );
      });

    try {
      // Act
      const withEnvironment = await run({
        AWS_ACCESS_KEY_ID: 'AKIDFROMENVIRONMENT',
        AWS_SECRET_ACCESS_KEY: 'environment-secret',
        AWS_SESSION_TOKEN: 'environment-session-token',
      });
      const signedByEnvironment = seen.splice(0);
      const withoutEnvironment = await run({});
      const signedWithout = seen.splice(0);

      // Assess: the requests were signed with the environment's key and carried its session token...
      expect(withEnvironment).not.toBe('');
      expect(signedByEnvironment.length).toBeGreaterThan(0);
      for (const headers of signedByEnvironment) {
        expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFROMENVIRONMENT\//);
        expect(headers['x-amz-security-token']).toBe('environment-session-token');
      }
      // ...and without it nothing was sent: the profile file was never read.
      expect(withoutEnvironment).not.toBe('');
      expect(signedWithout).toEqual([]);
    } finally {
      server.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
