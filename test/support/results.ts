import { randomUUID } from 'node:crypto';
import { api, eventually, staffToken } from './api.ts';
import type { SeededCitizen } from './citizens.ts';
import type { StackContext } from './stack-context.ts';

/** Casts one ballot per voter in their territory's envelope: the first 3 projects by id. */
export async function castFirstProjects(stack: StackContext, voters: SeededCitizen[]): Promise<void> {
  const editionPath = `/api/editions/${stack.edition}`;
  for (const voter of voters) {
    const ballot = await api(stack, 'GET', `${editionPath}/ballot`, { token: voter.token });
    const envelope = ballot.body.envelopes[0] as { id: string; projects: { id: string }[] };
    const ids = envelope.projects.map((p) => p.id).sort();
    const response = await api(stack, 'POST', `${editionPath}/ballots`, {
      token: voter.token,
      body: { choices: { [envelope.id]: ids.slice(0, 3) } },
      headers: { 'idempotency-key': randomUUID() },
    });
    if (response.status !== 201) throw new Error(`Ballot refused: ${JSON.stringify(response.body)}`);
  }
}

/** Closes the vote (admin phase change), waits for the new results, publishes them as an admin, waits for the phase. */
export async function closeAndPublish(stack: StackContext): Promise<void> {
  const editionPath = `/api/editions/${stack.edition}`;
  const admin = await staffToken(stack, 'admin');
  const closed = await api(stack, 'POST', `${editionPath}/staff/phase`, {
    token: admin,
    body: { to: 'counting', reason: 'Essai des résultats : clôture du vote' },
  });
  if (closed.status !== 200) throw new Error(`Vote not closed: ${JSON.stringify(closed.body)}`);
  await eventually(async () => {
    const response = await api(stack, 'GET', `${editionPath}/staff/results`, { token: admin });
    return response.status === 200 ? response : undefined;
  }, 30_000);
  const published = await api(stack, 'POST', `${editionPath}/staff/results/publish`, {
    token: admin,
    body: { reason: 'Essai des résultats : publication' },
  });
  if (published.status !== 200) throw new Error(`Not published: ${JSON.stringify(published.body)}`);
  // The public phase follows the publication through the bus (ResultsPublished → editions): pages and
  // assertions that read the phase must find « results », not the counting it leaves.
  await eventually(async () => {
    const response = await api(stack, 'GET', editionPath);
    return response.body?.phase?.current === 'results' ? response : undefined;
  }, 30_000);
}
