/**
 * What integration and e2e tests get from vitest's `inject('stack')`: their own file's stack, started by
 * test/support/file-stack.ts (a setup file) before the test file is imported.
 */
export interface StackContext {
  /** Site and API origin, e.g. `http://127.0.0.1:4300` (API under `/api`). */
  siteUrl: string;
  /** SES emulator: web mailbox at `/`, JSON at `/store`. */
  mailboxUrl: string;
  /** Local EventBridge + Scheduler endpoint (control API under `/__local/...`). */
  busUrl: string;
  dynamodbUrl: string;
  cognitoUrl: string;
  tableName: string;
  /** Local Secrets Manager (JSON 1.1), holding the manifest's secrets as `bp-<edition>-<id>`. */
  secretsUrl: string;
  /** Captured JSON log lines of the functions: `GET` them, `POST` to clear (test/support/log-capture.ts). */
  logsUrl: string;
  /** The S3 emulator (path-style) and the pictures bucket in it. */
  s3Url: string;
  picturesBucket: string;
  edition: string;
  /** One demo staff account per role. */
  staff: { username: string; password: string; role: string; email: string }[];
  cognito: { userPoolId: string; clientId: string; issuer: string; region: string };
}

/** What test/support/global-setup.ts shares with every file: one DynamoDB Local and the site built once. */
export interface SharedEmulators {
  dynamodbUrl: string;
  /** The built site, copied into each file's own served folder. */
  webBuildDir: string;
  /** Where each file keeps its data (cognito-local state, served site), removed at the end of the run. */
  dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackContext;
    sharedEmulators: SharedEmulators;
  }
}
