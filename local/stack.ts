import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { STAFF_ROLES } from '../shared/auth/roles.ts';
import { createDocumentClient } from '../shared/dynamo/document-client.ts';
import { EDITION_LOGO, type EditionConfig } from '../shared/edition/edition-config.ts';
import { putEditionConfig } from '../shared/edition/edition-store.ts';
import { EDITION_LOGO_PNG, logoPng } from '../shared/email/logo-png.ts';
import { awsEventPattern } from '../shared/email/ses-feedback.ts';
import { eventPattern } from '../shared/events/define-event.ts';
import { allSecrets, FUNCTIONS, ORIGIN_VERIFY_SECRET_ID, SITE_ENV, TABLE } from '../shared/manifest.ts';
import { projectsFilePath, putProjects, readProjectsFile } from '../shared/voting/projects.ts';
import { buildWeb } from '../web/build.ts';
import { type Clock, createClock } from './clock.ts';
import { type StaffPool, type StaffUser, seedStaffPool, startCognitoLocal } from './cognito.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalEventBus, startLocalEventBus } from './event-bus.ts';
import { type FaultOptions, type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { startHttpAdapter } from './http-adapter.ts';
import { type InvocationRecord, loadFunctions } from './lambda-runtime.ts';
import { localPicturesBucketName, localSiteBucketName, startS3Emulator } from './s3.ts';
import { startSecretsEmulator } from './secrets.ts';
import { startSesEmulator } from './ses.ts';
import { ensureTable } from './table.ts';

export const REGION = 'eu-west-3';
export const ACCOUNT = '000000000000';
const BUS_NAME = 'bp-local';

export interface LocalStackOptions {
  config: EditionConfig;
  /** Site and API port; the emulators use the next ones (`port + 10`…`port + 15`), or free ports when 0. */
  port: number;
  /** Where data lives between runs (`.local/`); in-memory DynamoDB when `persistent` is false. */
  dataDir: string;
  cacheDir: string;
  persistent: boolean;
  clock?: Clock;
  /** Set on the clock once everything is up, just before the schedules are created. */
  startAt?: Date;
  /**
   * Emails the SES emulator keeps, the newest (`npm start` reads `BP_SES_MAILBOX_LIMIT`).
   * @default DEFAULT_MAILBOX_LIMIT of local/ses.ts
   */
  mailboxLimit?: number;
  /** Faster retries for tests. */
  retry?: { attempts: number; baseDelayMs: number };
  log?: (line: string) => void;
  /** Extra environment for the functions (a higher per-client code limit for a load test, say). */
  functionEnv?: Record<string, string>;
  /**
   * Puts local/fault-proxy.ts between the functions and DynamoDB Local / the SES emulator (rate 0 with
   * `countCapacity` to measure consumed capacity only). The stack's own seeding bypasses it.
   */
  faults?: FaultOptions & { countCapacity?: boolean };
  /** Called after each function invocation (HTTP, event or schedule), for the cost benchmark. */
  onInvoke?: (record: InvocationRecord) => void;
  /**
   * A DynamoDB Local already running (shared by several stacks, each with its own table): not started nor
   * stopped here. Test files use one each, with {@link tableName}, so that they never see each other's items.
   */
  dynamodbEndpoint?: string;
  /** @default `bp-<edition id>` */
  tableName?: string;
  /** A site already built by `buildWeb` (copied, not rebuilt: each stack serves its own copy). */
  webBuildDir?: string;
  /**
   * Folder of the edition file, where its logo (`identity.logo`) lies; served as /edition-logo.svg.
   * @default `editions`
   */
  editionDir?: string;
}

export interface LocalStack {
  urls: {
    site: string;
    api: string;
    backOffice: string;
    mailbox: string;
    dynamodb: string;
    ses: string;
    cognito: string;
    bus: string;
    secrets: string;
    /** The S3 emulator, holding the site bucket and the pictures bucket. */
    s3: string;
  };
  /** The local site bucket (empty: the site is served from a folder). */
  siteBucket: string;
  /** The local pictures bucket (idea pictures under `uploads/`). */
  picturesBucket: string;
  tableName: string;
  pool: StaffPool;
  staff: (StaffUser & { role: string })[];
  bus: LocalEventBus;
  clock: Clock;
  /** Present when `options.faults` is set. */
  faults?: { dynamodb: FaultProxy; ses: FaultProxy };
  stop(): Promise<void>;
}

/** One demo account per staff role, and a second coordinator; passwords are demo-only, printed by `npm start`. */
export function demoStaff(config: EditionConfig): (StaffUser & { role: string })[] {
  const domain = config.mailFrom.split('@')[1] ?? 'example.org';
  // The instructor is the first contact of the first service, so the signed links of its emails are usable locally.
  const instructorEmail = config.services[0]?.contacts[0]?.email;
  const accounts = STAFF_ROLES.map((role) => ({
    role,
    username: role === 'instructor' && instructorEmail ? instructorEmail : `${role}@${domain}`,
    email: role === 'instructor' && instructorEmail ? instructorEmail : `${role}@${domain}`,
    password: `Demo-${role}-2026!`,
    groups: [role],
    ...(role === 'instructor' && config.services[0] ? { service: config.services[0].id } : {}),
  }));
  // A paper sheet counts once two different agents typed it the same: a second coordinator to try it with.
  const second = `coordinator-2@${domain}`;
  return [
    ...accounts,
    {
      role: 'coordinator',
      username: second,
      email: second,
      password: 'Demo-coordinator-2-2026!',
      groups: ['coordinator'],
    },
  ];
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts the whole platform on emulators, wired from the manifest as the CDK stacks are: table and
 * indexes, bus rules, schedules, routes. Each started piece is stopped by `stop()`, in reverse order,
 * also when a later step fails.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
  };
  try {
    // Fake credentials: the emulators want a signed request, not a valid one.
    Object.assign(process.env, {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const dataDir = resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true });
    const port = (offset: number) =>
      options.port === 0 ? freePort() : Promise.resolve(options.port + offset);
    const clock = options.clock ?? createClock();

    const [dynamodb, ses, cognito] = await Promise.all([
      options.dynamodbEndpoint
        ? { endpoint: options.dynamodbEndpoint, stop: async () => undefined }
        : port(10).then((p) =>
            startDynamoDbLocal({
              port: p,
              cacheDir: options.cacheDir,
              ...(options.persistent ? { dbPath: join(dataDir, 'dynamodb') } : {}),
            }),
          ),
      port(11).then((p) => startSesEmulator({ port: p, mailboxLimit: options.mailboxLimit })),
      port(12).then((p) => startCognitoLocal({ port: p, dataDir: join(dataDir, 'cognito') })),
    ]);
    stops.push(dynamodb.stop, ses.stop, cognito.stop);

    const tableName = options.tableName ?? `bp-${options.config.id}`;
    const dynamoClient = new DynamoDBClient({
      endpoint: dynamodb.endpoint,
      region: REGION,
      requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true },
    });
    stops.push(async () => dynamoClient.destroy());
    await ensureTable(dynamoClient, tableName, TABLE);
    // Mirrors the deploy-time seed of the Data stack's custom resource.
    await putEditionConfig(createDocumentClient(dynamoClient), tableName, options.config);
    // The ballot list, until instruction writes it (same items as the Data stack's seed).
    const projects = readProjectsFile(
      options.config,
      join(process.cwd(), projectsFilePath(options.config.id)),
    );
    if (projects) {
      await putProjects(createDocumentClient(dynamoClient), tableName, options.config.id, projects.projects);
    }

    const staff = demoStaff(options.config);
    const pool = await seedStaffPool({
      endpoint: cognito.endpoint,
      edition: options.config.id,
      stateFile: join(dataDir, 'cognito-pool.json'),
      users: staff,
      groups: STAFF_ROLES,
    });

    // The manifest's secrets, generated once and kept in the data dir (as CDK generates them at deploy).
    const secrets = await startSecretsEmulator({
      port: await port(14),
      region: REGION,
      account: ACCOUNT,
      ...(options.persistent ? { stateFile: join(dataDir, 'secrets.json') } : {}),
    });
    stops.push(secrets.stop);
    const secretEnv: Record<string, string> = {};
    for (const { secret } of allSecrets()) {
      secretEnv[secret.env] = await secrets.ensure(`bp-${options.config.id}-${secret.id}`, () =>
        randomBytes(48).toString('base64url'),
      );
    }

    let faults: LocalStack['faults'];
    if (options.faults) {
      const { countCapacity, ...injection } = options.faults;
      const [dynamodbProxy, sesProxy] = await Promise.all([
        startFaultProxy({
          service: 'dynamodb',
          upstream: dynamodb.endpoint,
          faults: injection,
          countCapacity,
        }),
        startFaultProxy({ service: 'ses', upstream: ses.endpoint, faults: injection }),
      ]);
      stops.push(dynamodbProxy.stop, sesProxy.stop);
      faults = { dynamodb: dynamodbProxy, ses: sesProxy };
    }

    const busPort = await port(13);
    const sitePort = options.port === 0 ? await freePort() : options.port;
    const siteUrl = `http://127.0.0.1:${sitePort}`;
    const busEndpoint = `http://127.0.0.1:${busPort}`;
    // The Web stack's buckets: the site's (the adapter serves the site from a folder) and the pictures'.
    const s3 = await startS3Emulator({
      port: await port(15),
      directory: join(dataDir, 's3'),
      bucket: localSiteBucketName(options.config.id),
      picturesBucket: localPicturesBucketName(options.config.id),
      // Pages are opened at 127.0.0.1 or localhost: both are the site's origin here.
      siteOrigins: [siteUrl, `http://localhost:${sitePort}`],
      accessKeyId: 'local',
      secretAccessKey: 'local',
    });
    stops.push(s3.stop);
    // What the CDK stacks put in each function's environment, pointed at the emulators through the
    // SDK's standard endpoint variables: handler code is the deployed code.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: faults?.dynamodb.endpoint ?? dynamodb.endpoint,
      AWS_ENDPOINT_URL_SESV2: faults?.ses.endpoint ?? ses.endpoint,
      AWS_ENDPOINT_URL_SES: faults?.ses.endpoint ?? ses.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: busEndpoint,
      AWS_ENDPOINT_URL_SCHEDULER: busEndpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_DEV: 'false',
      // Business metrics are EMF lines on stdout for CloudWatch (shared/metrics/business-metrics.ts): none locally.
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.BP_LOG_LEVEL ?? 'WARN',
      TABLE_NAME: tableName,
      EVENT_BUS_NAME: BUS_NAME,
      EDITION_ID: options.config.id,
      MAIL_FROM: options.config.mailFrom,
      SITE_URL: siteUrl,
      STAFF_ISSUER: pool.issuer,
      STAFF_AUDIENCE: pool.clientId,
      // Where functions with `writesSiteData` publish `data/...` (the site bucket in AWS): the served folder.
      [SITE_ENV.dir]: join(dataDir, 'web'),
      // The site bucket, as the Functions stack names it to functions with `writesSiteData` (SITE_DIR wins for
      // `data/` here, shared/site/site-writer.ts), and the pictures bucket to those with `presignsUploads`.
      [SITE_ENV.bucket]: s3.bucket,
      [SITE_ENV.pictures]: s3.picturesBucket,
      ...secretEnv,
      // Mail to `<x>+fail<N>@faults.invalid` fails N times, `+failalways@` always (shared/email/fault-injecting-mailer.ts).
      MAIL_FAULT_DOMAIN: 'faults.invalid',
      ...options.functionEnv,
    });

    const invoke = await loadFunctions(FUNCTIONS, process.cwd(), { onInvoke: options.onInvoke });

    const bus = await startLocalEventBus({
      port: busPort,
      region: REGION,
      account: ACCOUNT,
      clock,
      rules: FUNCTIONS.flatMap((fn) =>
        fn.subscriptions.map((subscription) => ({
          name: `${fn.name}-${subscription.id}`,
          // AWS service events (SES bounces) reach the one local bus too, matched as on the default bus.
          pattern:
            subscription.bus === 'aws'
              ? awsEventPattern(subscription.events)
              : eventPattern(subscription.events),
          target: fn.name,
        })),
      ),
      // As Lambda: a function's reserved concurrency caps its asynchronous invocations too, the others wait
      // (the mail fan-out's two batches at a time; Lambda keeps throttled events in its queue the same way).
      targets: Object.fromEntries(
        FUNCTIONS.map((fn) => [
          fn.name,
          concurrencyLimited(fn.reservedConcurrency, (event: unknown) => invoke(fn.name, event)),
        ]),
      ),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.persistent
        ? { dlqFile: join(dataDir, 'dead-letters.json'), stateFile: join(dataDir, 'schedules.json') }
        : {}),
      log,
    });
    stops.push(bus.stop);

    const staticDir = join(dataDir, 'web');
    if (options.webBuildDir) await cp(options.webBuildDir, staticDir, { recursive: true });
    else await buildWeb(staticDir);
    // The Département's logo, from the edition folder, at the one address every page asks for; and as a PNG
    // for the emails' header (mail clients show no SVG).
    const logoFile = join(options.editionDir ?? 'editions', options.config.identity.logo);
    await cp(logoFile, join(staticDir, EDITION_LOGO));
    await writeFile(join(staticDir, EDITION_LOGO_PNG), logoPng(await readFile(logoFile, 'utf8')));
    const adapter = await startHttpAdapter({
      port: sitePort,
      invoke,
      staticDir,
      // As CloudFront adds it in AWS: read at each request, so a rotated value applies at once.
      originSecret: () => secrets.valueOf(`bp-${options.config.id}-${ORIGIN_VERIFY_SECRET_ID}`) ?? '',
      siteConfig: () => ({
        edition: options.config.id,
        apiBase: '/api',
        mailboxUrl: ses.endpoint,
        cognito: {
          region: REGION,
          userPoolId: pool.userPoolId,
          clientId: pool.clientId,
          endpoint: `${cognito.endpoint}/`,
        },
      }),
      log,
    });
    stops.push(adapter.stop);

    if (options.startAt) clock.set(options.startAt);
    await createSchedules(options.config, busEndpoint);

    return {
      urls: {
        site: adapter.url,
        api: `${adapter.url}/api`,
        backOffice: `${adapter.url}/staff/`,
        mailbox: ses.endpoint,
        dynamodb: dynamodb.endpoint,
        ses: ses.endpoint,
        cognito: cognito.endpoint,
        bus: busEndpoint,
        secrets: secrets.endpoint,
        s3: s3.endpoint,
      },
      siteBucket: s3.bucket,
      picturesBucket: s3.picturesBucket,
      tableName,
      pool,
      staff,
      bus,
      clock,
      ...(faults ? { faults } : {}),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Creates the manifest's schedules through the Scheduler API, as the CDK stack declares them. An
 * existing schedule is kept as it is (it may have fired already: `at()` schedules stay, completed).
 */
async function createSchedules(config: EditionConfig, endpoint: string) {
  const scheduler = new SchedulerClient({
    endpoint,
    region: REGION,
    requestHandler: { requestTimeout: 5000, throwOnRequestTimeout: true },
  });
  try {
    for (const fn of FUNCTIONS) {
      for (const schedule of fn.schedules(config)) {
        try {
          await scheduler.send(
            new CreateScheduleCommand({
              Name: `${fn.name}-${schedule.id}`,
              ScheduleExpression: schedule.expression,
              ScheduleExpressionTimezone: schedule.timeZone,
              Description: schedule.description,
              FlexibleTimeWindow: { Mode: 'OFF' },
              ActionAfterCompletion: 'NONE',
              Target: {
                Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.name}`,
                RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler-${fn.name}`,
                Input: JSON.stringify(schedule.input),
              },
            }),
          );
        } catch (error) {
          if (!(error instanceof ConflictException)) throw error;
        }
      }
    }
  } finally {
    scheduler.destroy();
  }
}

/** `run` with at most `limit` calls in flight (no limit when undefined); the others wait their turn, in order. */
export function concurrencyLimited<T, R>(
  limit: number | undefined,
  run: (input: T) => Promise<R>,
): (input: T) => Promise<R> {
  if (!limit) return run;
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (input) => {
    // A finished call hands its slot to the next waiting one: `active` counts slots, never more than `limit`.
    if (active >= limit) await new Promise<void>((resolveTurn) => waiting.push(resolveTurn));
    else active++;
    try {
      return await run(input);
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export async function writeJson(path: string, value: unknown) {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}
