/**
 * Staff sign-in stand-in: cognito-local in-process behind a front that adds what it lacks (SRP, MFA_SETUP,
 * strict challenge sessions: local/cognito-front.ts), plus an idempotent seed of the edition's staff pool
 * (pool, app client, groups, users enrolled in TOTP) through the real Cognito SDK.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  type AttributeType,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ResourceNotFoundException,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolClientCommand,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import * as z from 'zod';
import type { StaffTokens } from '../shared/auth/staff-sign-in.ts';
import { cognitoFront } from './cognito-front.ts';
import { signInWithTotp } from './staff-sign-in.ts';
import { localTotpSecret } from './totp.ts';

const REGION = 'eu-west-3';
const REQUEST_TIMEOUT_MS = 5_000;
/** Declared in the pool schema, as the deployed pool does: Cognito refuses undeclared custom attributes. */
const SERVICE_ATTRIBUTE = 'service';

export interface CognitoLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export interface StaffPool {
  readonly userPoolId: string;
  readonly clientId: string;
  /** Value of the tokens' `iss` claim: `<endpoint>/<userPoolId>`, as with real Cognito. */
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly region: string;
}

export interface StaffUser {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly groups: readonly string[];
  /** Instructors' service; lands in the `custom:service` claim of the ID token. */
  readonly service?: string;
  /** Seeded already enrolled in TOTP with `localTotpSecret(username)` (default true). */
  readonly enrolled?: boolean;
}

type CognitoConfig = import('cognito-local/lib/server/config').Config;
type LambdaService = typeof import('cognito-local/lib/services').LambdaService;
type QuietLogger = Parameters<typeof import('cognito-local/lib/server/server').createServer>[1];

/**
 * cognito-local's `createDefaultServer` hard-codes a cwd-relative `.cognito` folder and reads the
 * port from `process.env` at import time, so we assemble the same services ourselves around
 * `dataDir`. Loaded lazily: it pulls in the whole aws-sdk v2.
 */
function loadCognitoLocal() {
  const requireHere = createRequire(import.meta.url);
  const requireFromPackage = createRequire(requireHere.resolve('cognito-local'));
  // aws-sdk v2 prints an end-of-support notice on the next tick unless told not to.
  (requireFromPackage('aws-sdk/lib/maintenance_mode_message') as { suppress: boolean }).suppress = true;
  const load = <T>(id: string): T => requireHere(`cognito-local/lib/${id}`) as T;
  return {
    pino: requireFromPackage('pino') as (options: { level: string }) => QuietLogger,
    awsSdk: requireFromPackage('aws-sdk') as {
      Lambda: new (options: unknown) => ConstructorParameters<LambdaService>[1];
    },
    config: load<typeof import('cognito-local/lib/server/config')>('server/config'),
    server: load<typeof import('cognito-local/lib/server/server')>('server/server'),
    router: load<typeof import('cognito-local/lib/server/Router')>('server/Router'),
    services: load<typeof import('cognito-local/lib/services')>('services'),
    cognitoService:
      load<typeof import('cognito-local/lib/services/cognitoService')>('services/cognitoService'),
    userPoolService:
      load<typeof import('cognito-local/lib/services/userPoolService')>('services/userPoolService'),
    crypto: load<typeof import('cognito-local/lib/services/crypto')>('services/crypto'),
    stormDb: load<typeof import('cognito-local/lib/services/dataStore/stormDb')>(
      'services/dataStore/stormDb',
    ),
    consoleSender: load<typeof import('cognito-local/lib/services/messageDelivery/consoleMessageSender')>(
      'services/messageDelivery/consoleMessageSender',
    ),
    delivery: load<typeof import('cognito-local/lib/services/messageDelivery/messageDelivery')>(
      'services/messageDelivery/messageDelivery',
    ),
    otp: load<typeof import('cognito-local/lib/services/otp')>('services/otp'),
    tokens: load<typeof import('cognito-local/lib/services/tokenGenerator')>('services/tokenGenerator'),
  };
}

/**
 * Starts cognito-local on 127.0.0.1, its state kept as JSON files in `dataDir`. `port: 0` picks a
 * free port. Confirmation codes (forgot password…) are still printed to the console by design.
 */
export async function startCognitoLocal(opts: { port: number; dataDir: string }): Promise<CognitoLocal> {
  const lib = loadCognitoLocal();
  const hostname = '127.0.0.1';
  const dataDir = path.resolve(opts.dataDir);
  const logger = lib.pino({ level: 'silent' });
  const ctx = { logger };
  const config: CognitoConfig = {
    ...lib.config.DefaultConfig,
    // The package default forces email-as-username on every pool; a pool created with no
    // UsernameAttributes behaves like a real one.
    UserPoolDefaults: {},
    TokenConfig: { IssuerDomain: `http://${hostname}:${opts.port}` },
    ServerConfig: { port: opts.port, hostname, development: false, https: false },
  };

  const clock = new lib.services.DateClock();
  const dataStores = new lib.stormDb.StormDBDataStoreFactory(dataDir);
  const cognito = await new lib.cognitoService.CognitoServiceFactoryImpl(
    dataDir,
    dataStores,
    new lib.userPoolService.UserPoolServiceFactoryImpl(clock, dataStores),
  ).create(ctx, config.UserPoolDefaults);
  const triggers = new lib.services.TriggersService(
    clock,
    cognito,
    new lib.services.LambdaService(config.TriggerFunctions, new lib.awsSdk.Lambda(config.LambdaClient)),
    new lib.crypto.CryptoService(config.KMSConfig),
  );
  const services = {
    clock,
    cognito,
    config,
    messages: new lib.services.MessagesService(
      triggers,
      new lib.delivery.MessageDeliveryService(new lib.consoleSender.ConsoleMessageSender()),
    ),
    otp: lib.otp.otp,
    tokenGenerator: new lib.tokens.JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  const router = cognitoFront(services, lib.router.Router(services));
  const app = lib.server.createServer(router, logger, config.ServerConfig, services);
  const server = (await app.start()) as Server;
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${hostname}:${port}`;
  // The token generator holds this object: with port 0 the issuer is only known now.
  config.TokenConfig.IssuerDomain = endpoint;

  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function cognitoClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // Without throwOnRequestTimeout, this SDK only logs a warning and the call can hang forever.
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
  });
}

const SeedState = z.object({ userPoolId: z.string(), clientId: z.string() });
type SeedState = z.infer<typeof SeedState>;

async function readState(stateFile: string): Promise<Partial<SeedState>> {
  try {
    return SeedState.partial().parse(JSON.parse(await readFile(stateFile, 'utf8')));
  } catch {
    return {}; // missing or unreadable: the pool is found by name or created again
  }
}

async function writeState(stateFile: string, state: SeedState & { edition: string }): Promise<void> {
  await mkdir(path.dirname(stateFile), { recursive: true });
  const temp = `${stateFile}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, stateFile);
}

async function exists(probe: Promise<unknown>): Promise<boolean> {
  try {
    await probe;
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || error instanceof UserNotFoundException) return false;
    throw error;
  }
}

async function ensurePool(
  client: CognitoIdentityProviderClient,
  name: string,
  known?: string,
): Promise<string> {
  if (known && (await exists(client.send(new DescribeUserPoolCommand({ UserPoolId: known }))))) return known;
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken }));
    const found = page.UserPools?.find((pool) => pool.Name === name)?.Id;
    if (found) return found;
    NextToken = page.NextToken;
  } while (NextToken);
  const created = await client.send(
    new CreateUserPoolCommand({
      PoolName: name,
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      // As the Auth stack's pool (lib/stacks/auth-stack.ts); the front checks new passwords against it.
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
      Schema: [{ Name: SERVICE_ATTRIBUTE, AttributeDataType: 'String', Mutable: true }],
    }),
  );
  const id = created.UserPool?.Id;
  if (!id) throw new Error(`CreateUserPool ${name} returned no id`);
  return id;
}

async function ensureClient(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  name: string,
  known?: string,
): Promise<string> {
  if (
    known &&
    (await exists(
      client.send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: known })),
    ))
  ) {
    return known;
  }
  const listed = await client.send(
    new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
  );
  const found = listed.UserPoolClients?.find((appClient) => appClient.ClientName === name)?.ClientId;
  if (found) return found;
  const created = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: name,
      GenerateSecret: false,
      ExplicitAuthFlows: [...WEB_CLIENT_FLOWS],
    }),
  );
  const id = created.UserPoolClient?.ClientId;
  if (!id) throw new Error(`CreateUserPoolClient ${name} returned no id`);
  return id;
}

/** As the Auth stack's web client: SRP and refresh, no flow that sends the password. */
const WEB_CLIENT_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const;

/** TOTP required and the web client's flows, converged on every start (a pool seeded before keeps its id). */
async function ensureSecurity(client: CognitoIdentityProviderClient, userPoolId: string, clientId: string) {
  await client.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: userPoolId,
      MfaConfiguration: 'ON',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }),
  );
  await client.send(
    new UpdateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientId: clientId,
      ExplicitAuthFlows: [...WEB_CLIENT_FLOWS],
    }),
  );
}

async function ensureGroups(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  groups: readonly string[],
): Promise<void> {
  const existing = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListGroupsCommand({ UserPoolId: userPoolId, NextToken }));
    for (const group of page.Groups ?? []) if (group.GroupName) existing.add(group.GroupName);
    NextToken = page.NextToken;
  } while (NextToken);
  for (const GroupName of groups.filter((group) => !existing.has(group))) {
    await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName }));
  }
}

/** Creates missing users; for every user, converges attributes, password and group membership. */
async function ensureUser(
  client: CognitoIdentityProviderClient,
  endpoint: string,
  userPoolId: string,
  user: StaffUser,
) {
  const attributes: AttributeType[] = [
    { Name: 'email', Value: user.email },
    { Name: 'email_verified', Value: 'true' },
    ...(user.service ? [{ Name: `custom:${SERVICE_ATTRIBUTE}`, Value: user.service }] : []),
  ];
  const Username = user.username;
  if (await exists(client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username })))) {
    await client.send(
      new AdminUpdateUserAttributesCommand({ UserPoolId: userPoolId, Username, UserAttributes: attributes }),
    );
  } else {
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username,
        UserAttributes: attributes,
        MessageAction: 'SUPPRESS',
      }),
    );
  }
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username,
      Password: user.password,
      Permanent: true,
    }),
  );
  for (const GroupName of user.groups) {
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username, GroupName }));
  }
  if (user.enrolled !== false) await enrolLocalTotp(endpoint, userPoolId, Username);
}

/** Enrols `localTotpSecret(username)` through the local front's own admin call (no AWS equivalent). */
async function enrolLocalTotp(endpoint: string, userPoolId: string, username: string) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AWSCognitoIdentityProviderService.LocalAdminEnrolSoftwareToken',
    },
    body: JSON.stringify({
      UserPoolId: userPoolId,
      Username: username,
      SecretCode: localTotpSecret(username),
    }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!response.ok)
    throw new Error(`Enrolling ${username} in TOTP: HTTP ${response.status} ${await response.text()}`);
}

/**
 * Makes sure the edition's staff pool (`bp-<edition>-staff`), its app client, groups and users exist.
 * Safe to run on every start: ids are remembered in `stateFile` and only what is missing is created.
 */
export async function seedStaffPool(opts: {
  endpoint: string;
  edition: string;
  stateFile: string;
  users: readonly StaffUser[];
  groups: readonly string[];
}): Promise<StaffPool> {
  const unknownGroups = opts.users
    .flatMap((user) => user.groups)
    .filter((group) => !opts.groups.includes(group));
  if (unknownGroups.length > 0) {
    throw new Error(`Staff users refer to undeclared groups: ${[...new Set(unknownGroups)].join(', ')}`);
  }
  const client = cognitoClient(opts.endpoint);
  try {
    const state = await readState(opts.stateFile);
    const poolName = `bp-${opts.edition}-staff`;
    const userPoolId = await ensurePool(client, poolName, state.userPoolId);
    const clientId = await ensureClient(client, userPoolId, `${poolName}-web`, state.clientId);
    await writeState(opts.stateFile, { edition: opts.edition, userPoolId, clientId });
    await ensureSecurity(client, userPoolId, clientId);
    await ensureGroups(client, userPoolId, opts.groups);
    for (const user of opts.users) await ensureUser(client, opts.endpoint, userPoolId, user);
    const issuer = `${opts.endpoint.replace(/\/+$/, '')}/${userPoolId}`;
    return { userPoolId, clientId, issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, region: REGION };
  } finally {
    client.destroy();
  }
}

/** Staff sign-in as the back-office does it (SRP, then the TOTP code): see local/staff-sign-in.ts. */
export function signIn(
  pool: Pick<StaffPool, 'userPoolId' | 'clientId'>,
  endpoint: string,
  username: string,
  password: string,
  opts: { totpSecret?: string; newPassword?: string } = {},
): Promise<StaffTokens & { totpSecret: string }> {
  return signInWithTotp(
    { endpoint, userPoolId: pool.userPoolId, clientId: pool.clientId },
    username,
    password,
    opts,
  );
}
