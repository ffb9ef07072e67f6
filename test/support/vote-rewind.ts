import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/dynamo/document-client.ts';
import { phaseStateKey, StoredPhase } from '../../shared/edition/phase-state.ts';
import { isClosedVotePhase } from '../../shared/edition/phases.ts';
import { voteClosedKey } from '../../shared/voting/vote-window.ts';
import type { StackContext } from './stack-context.ts';

/**
 * Test stand-in for a fresh stack while integration files share one: once a file has closed the vote, the
 * platform rightly refuses to reopen it (no way back after the close). A file that needs an open phase again
 * calls this first: it removes the "vote closed" marker and puts the phase item back to `ballot-preparation`,
 * straight in DynamoDB Local, as a new stack would be. Nothing when the vote is not closed. Test code only:
 * the platform has no such path.
 */
export async function rewindClosedVote(stack: StackContext): Promise<void> {
  const documents = createDocumentClient(
    new DynamoDBClient({
      endpoint: stack.dynamodbUrl,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  try {
    const [{ Item: phase }, { Item: marker }] = await Promise.all([
      documents.send(
        new GetCommand({
          TableName: stack.tableName,
          Key: phaseStateKey(stack.edition),
          ConsistentRead: true,
        }),
      ),
      documents.send(
        new GetCommand({
          TableName: stack.tableName,
          Key: voteClosedKey(stack.edition),
          ConsistentRead: true,
        }),
      ),
    ]);
    const state = phase ? StoredPhase.parse(phase) : undefined;
    if (!marker && !(state && isClosedVotePhase(state.current))) return;
    await documents.send(
      new DeleteCommand({ TableName: stack.tableName, Key: voteClosedKey(stack.edition) }),
    );
    if (state && isClosedVotePhase(state.current)) {
      await documents.send(
        new PutCommand({
          TableName: stack.tableName,
          Item: {
            ...phaseStateKey(stack.edition),
            entity: 'PhaseState',
            current: 'ballot-preparation',
            since: new Date().toISOString(),
            version: state.version + 1,
          },
        }),
      );
    }
  } finally {
    documents.destroy();
  }
}
