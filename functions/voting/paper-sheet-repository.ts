import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { conflict } from '../../shared/errors/domain-error.ts';
import { PaperSheetStatus } from '../../shared/http/voting-schemas.ts';

/**
 * One agent's entry of a sheet, as stored while the sheet waits: who and when, and salted SHA-256 digests
 * of the typed code and of the choices, never the code or the choices themselves (the code has 60 bits:
 * a digest cannot be reversed into who voted; the choices digest alone tells nothing about a person).
 */
export const SheetEntry = z.object({
  agent: z.string(),
  at: z.iso.datetime(),
  codeDigest: z.optional(z.string()),
  choicesDigest: z.optional(z.string()),
});
export type SheetEntry = z.infer<typeof SheetEntry>;

export const SheetDifference = z.enum(['votingCode', 'choices']);
export type SheetDifference = z.infer<typeof SheetDifference>;

export const PaperSheet = z.object({
  sheet: z.string(),
  status: PaperSheetStatus,
  /** Per sheet, for the digests; dropped once the sheet is closed (cast, void, refused). */
  salt: z.optional(z.string()),
  entries: z.array(SheetEntry),
  differences: z.optional(z.array(SheetDifference)),
  resolution: z.optional(
    z.object({
      agent: z.string(),
      at: z.iso.datetime(),
      decision: z.enum(['cast', 'void']),
      reason: z.optional(z.string()),
    }),
  ),
  /** Why a matching sheet could not be counted (`already_voted`, `voting_code_used`...). */
  refusal: z.optional(z.string()),
  updatedAt: z.iso.datetime(),
  version: z.number().check(z.int()),
});
export type PaperSheet = z.infer<typeof PaperSheet>;

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface PaperSheetRepository {
  get(sheet: string): Promise<PaperSheet | undefined>;
  /** The first entry of a sheet; `exists` if another entry created it first. */
  create(sheet: PaperSheet): Promise<'created' | 'exists'>;
  /** Replaces the sheet if it is still at `expectedVersion` (a concurrent entry throws a 409). */
  replace(expectedVersion: number, next: PaperSheet): Promise<void>;
  /** The same replacement as an item of the ballot's own transaction (see `VotingRepository.cast`). */
  replaceItem(expectedVersion: number, next: PaperSheet): TransactItem;
  list(status: PaperSheetStatus): Promise<PaperSheet[]>;
}

/**
 * Key layout (see README): `PAPERSHEET#<sheet>` / `SHEET`, listed by status on `gsi1`:
 * `PAPERSHEETS#<status>` / `<updatedAt>#<sheet>`. No item links a sheet to a ballot.
 */
export function dynamoPaperSheetRepository(
  client: DynamoDBDocumentClient,
  tableName: string,
): PaperSheetRepository {
  const key = (sheet: string) => ({ pk: `PAPERSHEET#${sheet}`, sk: 'SHEET' });
  const item = (sheet: PaperSheet) => ({
    ...key(sheet.sheet),
    entity: 'PaperSheet',
    ...sheet,
    gsi1pk: `PAPERSHEETS#${sheet.status}`,
    gsi1sk: `${sheet.updatedAt}#${sheet.sheet}`,
  });
  const replaceItem = (expectedVersion: number, next: PaperSheet) => ({
    Put: {
      TableName: tableName,
      Item: item(next),
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': expectedVersion },
    },
  });
  const changedMeanwhile = () =>
    conflict(
      'sheet_changed_meanwhile',
      'Cette feuille vient d’être saisie par ailleurs : rechargez puis réessayez.',
    );
  return {
    async get(sheet) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: key(sheet), ConsistentRead: true }),
      );
      return Item ? PaperSheet.parse(Item) : undefined;
    },
    async create(sheet) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: item(sheet),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return 'created';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'exists';
        throw error;
      }
    },
    async replace(expectedVersion, next) {
      try {
        await client.send(new PutCommand(replaceItem(expectedVersion, next).Put));
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw changedMeanwhile();
        throw error;
      }
    },
    replaceItem,
    async list(status) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `PAPERSHEETS#${status}` },
          ScanIndexForward: false,
          Limit: 200,
        }),
      );
      return Items.map((entry) => PaperSheet.parse(entry));
    },
  };
}
