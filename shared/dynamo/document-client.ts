import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FunctionSlice } from '../manifest.ts';
import { checkKeyAccess } from './key-access.ts';
import { tableAccessOf } from './table.ts';

/** The function a client serves: its name and table access, from its manifest slice (or its manifest entry). */
export type KeyAccessOf = Pick<FunctionSlice, 'name' | 'permissions'>;

export interface DocumentClientOptions {
  /**
   * The manifest function this client serves, and its edition: every key a request touches is checked against
   * the function's `permissions.table`, and a key outside it throws `AccessDeniedException` as IAM would.
   * @default no check (scripts, seeds, tests that set up data)
   */
  readonly accessOf?: { readonly fn: KeyAccessOf; readonly edition: string };
  /**
   * Whether to check. In AWS, IAM refuses the same keys from the same declaration (lib/constructs/bp-function.ts);
   * against an emulator nobody else would, so the check is on when `AWS_ENDPOINT_URL_DYNAMODB` is set (the local
   * runtime and the tests).
   * @default Boolean(process.env.AWS_ENDPOINT_URL_DYNAMODB)
   */
  readonly enforce?: boolean;
}

/** Built once per process by a main.ts; the endpoint comes from `AWS_ENDPOINT_URL_DYNAMODB` when set. */
export function createDocumentClient(
  client = new DynamoDBClient({}),
  options: DocumentClientOptions = {},
): DynamoDBDocumentClient {
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const enforce = options.enforce ?? Boolean(process.env.AWS_ENDPOINT_URL_DYNAMODB);
  if (options.accessOf && enforce) enforceKeyAccess(documents, options.accessOf);
  return documents;
}

/**
 * Checks every request of `documents` against the function's declared table access, before it is sent: the
 * `build` step sees the marshalled input of the low-level command (`GetItemCommand`, `TransactWriteItemsCommand`...).
 */
export function enforceKeyAccess(
  documents: DynamoDBDocumentClient,
  of: { readonly fn: KeyAccessOf; readonly edition: string },
): void {
  const access = tableAccessOf(of.fn, of.edition);
  documents.middlewareStack.add(
    (next, context) => async (args) => {
      checkKeyAccess(of.fn.name, access, context.commandName ?? '', args.input as Record<string, unknown>);
      return next(args);
    },
    // The document client shares the middleware stack of the client it wraps: a client wrapped for two functions
    // checks both declarations (the stricter), never only the last one.
    { step: 'build', name: `bpKeyAccess-${of.fn.name}`, override: true },
  );
}
