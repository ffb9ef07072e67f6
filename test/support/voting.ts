import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoVotingRepository } from '../../functions/voting/voting-repository.ts';
import { seedStaffPool, signIn } from '../../local/cognito.ts';
import { STAFF_ROLES } from '../../shared/auth/roles.ts';
import { voteWindowKey } from '../../shared/voting/vote-window.ts';
import { api, eventually, staffToken } from './api.ts';
import type { StackContext } from './stack-context.ts';

/**
 * Puts the file's stack in a running vote through the admin's routes: the `vote` phase, and the window extended
 * to a day from now when it is closed. Outside `*.clock.test.ts` files the functions run on the real date while
 * the demo vote is dated 2023: the admin extension is what opens the window.
 */
export async function openVote(stack: StackContext, documents: DynamoDBDocumentClient): Promise<void> {
  const admin = await staffToken(stack, 'admin');
  const editionPath = `/api/editions/${stack.edition}`;
  if ((await api(stack, 'GET', editionPath)).body.phase.current !== 'vote') {
    const moved = await api(stack, 'POST', `${editionPath}/staff/phase`, {
      token: admin,
      body: { to: 'vote', reason: 'Essai du vote : ouverture' },
    });
    if (moved.status !== 200) throw new Error(`Phase not moved: ${JSON.stringify(moved.body)}`);
  }
  const votes = dynamoVotingRepository(documents, stack.tableName, stack.edition);
  const window = await eventually(async () => {
    await api(stack, 'GET', `${editionPath}/turnout`);
    return (await votes.getSnapshot()) ? votes.getWindow() : undefined;
  });
  if (window.closesAtMs > Date.now() + 3_600_000 && !window.paused) return;
  if (window.paused) {
    await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: { action: 'resume', reason: 'Essai du vote : reprise' },
    });
  }
  if (window.closesAtMs <= Date.now() + 3_600_000) {
    const extended = await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: {
        action: 'extend',
        reason: 'Essai du vote : fenêtre ouverte pour le test',
        until: new Date(Math.max(Date.now(), window.closesAtMs) + 86_400_000).toISOString(),
      },
    });
    if (extended.status !== 200) throw new Error(`Vote not extended: ${JSON.stringify(extended.body)}`);
  }
}

/**
 * ID tokens of extra staff accounts of one role (the demo seeds one per role; double entry needs three
 * agents): created in the stack's cognito-local pool, then signed in.
 */
export async function extraStaffTokens(
  stack: StackContext,
  role: string,
  names: string[],
): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bp-staff-'));
  try {
    const stateFile = join(dir, 'pool.json');
    await writeFile(
      stateFile,
      JSON.stringify({
        edition: stack.edition,
        userPoolId: stack.cognito.userPoolId,
        clientId: stack.cognito.clientId,
      }),
    );
    const users = names.map((name) => ({
      username: `${name}@exemple.fr`,
      email: `${name}@exemple.fr`,
      password: `Essai-${name}-2026!`,
      groups: [role],
    }));
    const pool = await seedStaffPool({
      endpoint: stack.cognitoUrl,
      edition: stack.edition,
      stateFile,
      users,
      groups: STAFF_ROLES,
    });
    return Promise.all(
      users.map(async (user) => (await signIn(pool, stack.cognitoUrl, user.username, user.password)).idToken),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Puts the vote window back to the configured (frozen) instants, as if no admin had extended it. */
export async function resetVoteWindow(stack: StackContext, documents: DynamoDBDocumentClient): Promise<void> {
  const votes = dynamoVotingRepository(documents, stack.tableName, stack.edition);
  const frozen = await eventually(async () => (await votes.getSnapshot())?.snapshot);
  const current = await votes.getWindow();
  await documents.send(
    new PutCommand({
      TableName: stack.tableName,
      Item: {
        ...voteWindowKey(stack.edition),
        entity: 'VoteWindow',
        opensAtMs: Date.parse(frozen.opensAt),
        closesAtMs: Date.parse(frozen.closesAt),
        paused: false,
        version: (current?.version ?? 0) + 1,
      },
    }),
  );
}
