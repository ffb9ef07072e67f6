/**
 * The table's key layout and what a function may touch in it: the part of the manifest (shared/manifest.ts, which
 * re-exports it) that a function's bundle needs at run time, kept apart so that bundles do not carry the manifest.
 */
/**
 * A partition key pattern in IAM `StringLike` syntax (`*` any characters, `?` one), where `{edition}` stands for
 * the edition id: `CITIZEN#*`, `EDITION#{edition}#VOTING`. It is what `dynamodb:LeadingKeys` is matched against
 * in AWS (lib/constructs/bp-function.ts) and what the document client checks locally (shared/dynamo/key-access.ts).
 */
export type KeyPattern = string;

/**
 * What a function may do on the table, by partition key: IAM cannot tell sort keys apart, so a context owns
 * whole partitions. Anything not declared is refused, in AWS by IAM, locally by the document client.
 */
export interface TableAccess {
  /** Partitions of this context: read and write (GetItem, BatchGetItem, Query, ConditionCheckItem, PutItem, UpdateItem, DeleteItem, BatchWriteItem). */
  readonly owns: readonly KeyPattern[];
  /** Partitions of other contexts it reads, never writes (GetItem, BatchGetItem, Query, ConditionCheckItem). */
  readonly reads: readonly KeyPattern[];
  /**
   * Partitions of another context it updates in place (UpdateItem only: no put, no delete), each with why.
   * @default none
   */
  readonly updates?: readonly KeyPattern[];
  /**
   * Index partition keys it queries, by index name (Query only, on that index).
   * @default none
   */
  readonly indexes?: Readonly<Record<string, readonly KeyPattern[]>>;
  /**
   * Scan of the table: no function scans (the retention walks the sparse index `PERSONALDATA#<shard>`).
   * @default false
   */
  readonly scans?: boolean;
}

/** The function's table access with `{edition}` replaced by the edition id. */
export function tableAccessOf(
  fn: { readonly permissions: { readonly table: TableAccess } },
  edition: string,
): TableAccess {
  const resolve = (patterns: readonly KeyPattern[] = []) =>
    patterns.map((pattern) => pattern.replaceAll('{edition}', edition));
  const { owns, reads, updates, indexes, scans } = fn.permissions.table;
  return {
    owns: resolve(owns),
    reads: resolve(reads),
    updates: resolve(updates),
    indexes: Object.fromEntries(Object.entries(indexes ?? {}).map(([name, keys]) => [name, resolve(keys)])),
    scans: scans ?? false,
  };
}

export interface TableSpec {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly {
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }[];
  /** Epoch-seconds attribute; readers still filter expired items themselves. */
  readonly ttlAttribute: string;
}

export const TABLE: TableSpec = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
  ttlAttribute: 'expiresAt',
};
