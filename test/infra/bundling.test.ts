import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPath, sourceMapName } from '../../lib/constructs/function-bundle.ts';
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
  return join(directory, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.mjs');
}

describe('function bundles', () => {
  it('bundles each handler as minified ES module chunks, what a request first needs out of the start, the maps beside the asset', () => {
    // Prepare, Act: real esbuild bundling, for the functions stack only.
    const { config, directory, functions } = built();

    // Assess
    expect(
      functions.map(({ Properties }) => Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).sort(),
    ).toEqual(FUNCTIONS.map((fn) => fn.name).sort());
    for (const { Properties } of functions) {
      const name = String(Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME);
      expect(Properties.Environment.Variables.NODE_OPTIONS, name).toBeUndefined();
      const dir = join(directory, `asset.${Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      // The deployed zip holds the chunks alone: no source map to fetch and parse at a cold start.
      const files = readdirSync(dir);
      expect(files, name).toContain('index.mjs');
      expect(
        files.filter((file) => !file.endsWith('.mjs')),
        name,
      ).toEqual([]);
      const code = (file: string) => readFileSync(join(dir, file), 'utf8');
      expect(code('index.mjs')).toMatch(/export\s*\{[^}]*\bas handler\b[^}]*\}/);
      // The SDK is bundled: only S3 (two rare routes) is left to the runtime, imported when needed (and the
      // optional CRT signer the SDK tries, in a `try`, for SigV4a only).
      const leftToRuntime = new Set([
        '@aws-sdk/client-s3',
        '@aws-sdk/s3-request-presigner',
        '@aws-sdk/signature-v4-crt',
      ]);
      for (const file of files) {
        expect(
          [...code(file).matchAll(/(?:require\(|import\(|from\s*)"(@aws-sdk\/[^"]+)"/g)]
            .map((match) => match[1])
            .filter((id) => !leftToRuntime.has(id as string)),
          `${name}/${file}`,
        ).toEqual([]);
        expect(code(file), `${name}/${file}`).not.toContain('sourceMappingURL');
        // Minified: far fewer lines than characters would allow for readable code.
        expect(code(file).split('\n').length, `${name}/${file}`).toBeLessThanOrEqual(
          Math.max(2, code(file).length / 200),
        );
      }

      // Each file's map sits in the assembly, named after the file's hash, with positions but not our source.
      const sourcesOf = (file: string) => {
        const map = JSON.parse(
          readFileSync(
            join(
              directory,
              'source-maps',
              config.id,
              name,
              sourceMapName(readFileSync(join(dir, file)), file),
            ),
            'utf8',
          ),
        ) as { sources: string[]; mappings: string; sourcesContent?: unknown };
        expect(map.sourcesContent, `${name}/${file}`).toBeUndefined();
        return map.sources;
      };
      const atStart = loadPath(dir).flatMap(sourcesOf);
      const everywhere = files.flatMap(sourcesOf);
      const entry = FUNCTIONS.find((fn) => fn.name === name)?.entry;
      expect(sourcesOf('index.mjs').some((source) => source.endsWith(entry as string))).toBe(true);
      // Paris time with Intl, not date-fns (~26 kB); the function's manifest slice, not the whole manifest
      // (~16 kB), except where the OpenAPI document is built from every route.
      expect(
        everywhere.filter((source) => source.includes('node_modules/date-fns')),
        name,
      ).toEqual([]);
      expect(
        everywhere.some((source) => source.endsWith('shared/manifest.ts')),
        name,
      ).toBe(name === 'editions');
      // The SDK's credential chain is the environment's alone: no profile files, SSO, STS or metadata clients.
      const packagesOf = (sources: string[]) =>
        new Set(sources.flatMap((source) => /node_modules\/@aws-sdk\/([^/]+)/.exec(source)?.[1] ?? []));
      const sdkEverywhere = packagesOf(everywhere);
      expect(sdkEverywhere.has('credential-provider-env'), name).toBe(true);
      for (const chain of [
        'credential-provider-node',
        'credential-provider-ini',
        'credential-provider-sso',
        'nested-clients',
      ]) {
        expect(sdkEverywhere.has(chain), `${name} carries ${chain}`).toBe(false);
      }
      // At start, DynamoDB only: the clients a request first needs are chunks read then.
      const sdkAtStart = packagesOf(atStart);
      expect(sdkAtStart.has('client-dynamodb'), name).toBe(true);
      for (const lazy of ['client-eventbridge', 'client-sesv2', 'client-secrets-manager']) {
        expect(sdkAtStart.has(lazy), `${name} reads ${lazy} at start`).toBe(false);
      }
      // Validation uses zod/mini (tree-shaken): the classic API would add ~70 kB to every bundle.
      expect(
        everywhere.filter((source) => source.includes('zod/v4/classic/')),
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
    const script = `import(${JSON.stringify(pathToFileURL(bundle).href)}).then(({ handler }) => handler({ version: '2.0', routeKey: 'GET /api/editions/{edition}/turnout', rawPath: '/api/editions/e/turnout',
        rawQueryString: '', headers: {}, pathParameters: { edition: 'e' },
        requestContext: { http: { method: 'GET', path: '/api/editions/e/turnout', sourceIp: '127.0.0.1' }, requestId: 'r', timeEpoch: Date.now() },
        isBase64Encoded: false }, { awsRequestId: 'r', getRemainingTimeInMillis: () => 3000 }))
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
