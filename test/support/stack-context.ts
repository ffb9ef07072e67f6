/** What test/support/global-setup.ts provides to integration and e2e tests through vitest's `inject('stack')`. */
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
  edition: string;
  /** One demo staff account per role. */
  staff: { username: string; password: string; role: string; email: string }[];
  cognito: { userPoolId: string; clientId: string; issuer: string; region: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackContext;
  }
}
