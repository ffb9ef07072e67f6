import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoVotingRepository } from '../../functions/voting/voting-repository.ts';
import { readMailbox } from '../../local/ses.ts';
import { api } from '../support/api.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import '../support/stack-context.ts';
import { openVote } from '../support/voting.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
const votes = dynamoVotingRepository(factory.documents, stack.tableName, stack.edition);
afterAll(() => factory.close());

let choices: Record<string, string[]>;

const cast = (voter: SeededCitizen, key: string, emailReceipt?: boolean) =>
  api(stack, 'POST', `${editionPath}/ballots`, {
    token: voter.token,
    body: { choices, ...(emailReceipt === undefined ? {} : { emailReceipt }) },
    headers: { 'idempotency-key': key },
  });

/** The mail sent to this voter's address so far (the send happens before the cast answers). */
const mailTo = async (voter: SeededCitizen) =>
  (await readMailbox(stack.mailboxUrl)).filter((mail) => mail.destination.to.includes(voter.email));

describe('the receipt code by email, when the voter asks for it on the confirmation screen', () => {
  beforeAll(async () => {
    await openVote(stack, factory.documents);
    const snapshot = (await votes.getSnapshot())?.snapshot;
    const nantes = (snapshot?.projects ?? []).filter((p) => p.envelope === 'nantes').map((p) => p.id);
    choices = { nantes: nantes.slice(0, 3) };
  });

  it('emails the receipt code once, and a retry with the same Idempotency-Key sends nothing more', async () => {
    // Prepare
    const voter = await factory.create('nantes');
    const key = randomUUID();
    // Act
    const first = await cast(voter, key, true);
    // Assess
    expect(first.status).toBe(201);
    expect(first.body.receiptEmail).toBe('sent');
    const mails = await mailTo(voter);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.subject).toContain('code de reçu');
    expect(mail?.subject).not.toContain(first.body.receipt);
    expect(mail?.body.text).toContain(first.body.receipt);
    expect(mail?.body.html).toContain(first.body.receipt);
    // No choice in the email: the voter knows them, a mailbox is not a ballot box.
    for (const project of choices.nantes ?? []) expect(mail?.body.text).not.toContain(project);
    expect(
      (
        await factory.documents.send(
          new GetCommand({
            TableName: stack.tableName,
            Key: { pk: `VOTER#${voter.citizenId}`, sk: 'MARKER' },
          }),
        )
      ).Item,
    ).toMatchObject({ receiptEmailed: true });

    // Act: the answer was lost, the page retries with the same key (and the box still ticked).
    const retry = await cast(voter, key, true);
    // Assess
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({
      receipt: first.body.receipt,
      replayed: true,
      receiptEmail: 'already-sent',
    });
    expect(await mailTo(voter)).toHaveLength(1);
  });

  it('sends one email for 20 concurrent retries of the same ballot', async () => {
    const voter = await factory.create('nantes');
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 20 }, () => cast(voter, key, true)));
    expect(responses.every((r) => [200, 201].includes(r.status))).toBe(true);
    expect(new Set(responses.map((r) => r.body.receipt)).size).toBe(1);
    expect(responses.filter((r) => r.body.receiptEmail === 'sent')).toHaveLength(1);
    const mails = await mailTo(voter);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.body.text).toContain(responses[0]?.body.receipt);
  });

  it('sends nothing without the opt-in', async () => {
    const voter = await factory.create('nantes');
    const unticked = await cast(voter, randomUUID(), false);
    expect(unticked.status).toBe(201);
    expect(unticked.body.receiptEmail).toBe('not-requested');
    const other = await factory.create('nantes');
    const omitted = await cast(other, randomUUID());
    expect(omitted.status).toBe(201);
    expect(omitted.body.receiptEmail).toBe('not-requested');
    expect(await mailTo(voter)).toHaveLength(0);
    expect(await mailTo(other)).toHaveLength(0);
  });

  it('never puts the receipt code on the bus', async () => {
    const voter = await factory.create('nantes');
    const { body } = await cast(voter, randomUUID(), true);
    expect(body.receiptEmail).toBe('sent');
    const history = await (
      await fetch(`${stack.busUrl}/__local/events`, { signal: AbortSignal.timeout(10_000) })
    ).text();
    expect(history).not.toContain(body.receipt);
    expect(history).not.toContain(voter.citizenId);
  });
});
