import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { readMailbox } from '../../local/ses.ts';
import type { ApiResponse } from '../support/api.ts';
import {
  openSession,
  readCode,
  requestCode,
  stackHash,
  type TestProfile,
  uniqueEmail,
  uniquePerson,
} from '../support/identity.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    endpoint: stack.dynamodbUrl,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
);
afterAll(() => documents.destroy());

/** Three communes of the Nantes territory, and one of another territory. */
const NANTES_COMMUNES = ['44109', '44020', '44024'];
const SAINT_NAZAIRE_COMMUNE = '44006';

const letters = () =>
  randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8);

/** Code by email, then a session, for one declaration (profile) of a person. */
async function register(email: string, profile: TestProfile): Promise<ApiResponse> {
  const sent = await requestCode(stack, email);
  expect(sent.status, JSON.stringify(sent.body)).toBe(202);
  const code = await readCode(stack, email);
  return openSession(stack, { email, code, profile });
}

const codeItem = async (email: string) => {
  const hash = await stackHash(stack);
  return (
    await documents.send(
      new GetCommand({
        TableName: stack.tableName,
        Key: { pk: `IDCODE#${hash.emailKey(email)}`, sk: 'CODE' },
        ConsistentRead: true,
      }),
    )
  ).Item;
};

const mailsTo = async (email: string) =>
  (await readMailbox(stack.mailboxUrl)).filter(
    (mail) => mail.destination.to.includes(email) && mail.subject.includes('code de vérification'),
  );

describe('one person, one identity, whatever they declare', () => {
  it('holds the second and third identity of one person registering with aliases of one mailbox and three communes of one territory', async () => {
    // Prepare: one mailbox, three aliases; one person, three communes of the same territory.
    const local = `elise-${letters()}`;
    const person = uniquePerson({ firstName: 'Élise' });

    // Act
    const answers = [];
    for (const [i, commune] of NANTES_COMMUNES.entries())
      answers.push(await register(`${local}+${i + 1}@exemple.fr`, { ...person, commune }));

    // Assess: one verified identity, two held for review.
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect(answers.map((answer) => answer.body.citizen.status)).toEqual(['verified', 'held', 'held']);
  });

  it('sees through accents, case, hyphens, spaces, a compound first name and another territory', async () => {
    // Prepare
    const family = `Le Goff ${letters()}`;
    const first = await register(uniqueEmail(), {
      firstName: 'Jean-Pierre',
      lastName: family,
      birthDate: '1979-11-03',
      commune: NANTES_COMMUNES[0],
    });

    // Act: the same person, written otherwise, from unrelated addresses and another territory.
    const variants = [
      { firstName: 'JEAN PIERRE', lastName: family.toUpperCase().replace(' ', '-'), commune: '44020' },
      {
        firstName: 'jéan',
        lastName: family.toLowerCase().replaceAll(' ', ''),
        commune: SAINT_NAZAIRE_COMMUNE,
      },
      { firstName: 'Pierre', lastName: ` ${family} `, commune: NANTES_COMMUNES[2] },
    ];
    const answers = [];
    for (const variant of variants)
      answers.push(await register(uniqueEmail(), { ...variant, birthDate: '1979-11-03' }));

    // Assess
    expect(first.body.citizen.status).toBe('verified');
    expect(answers.map((answer) => answer.body.citizen?.status)).toEqual(['held', 'held', 'held']);
    expect(answers[1]?.body.citizen.territory).toBe('saint-nazaire');
  });

  it('holds a second identity from the same mailbox even under other declared names', async () => {
    const local = `boite-${letters()}`;
    const first = await register(`${local}@exemple.fr`, uniquePerson());
    const second = await register(`${local}+autre@exemple.fr`, uniquePerson({ firstName: 'Yann' }));
    expect(first.body.citizen.status).toBe('verified');
    expect(second.body.citizen.status).toBe('held');
  });

  it('lets only one of several simultaneous first sign-ins of one person come out verified', async () => {
    // Prepare: three addresses with a live code each, one person.
    const person = uniquePerson({ birthDate: '1988-08-08' });
    const emails = [uniqueEmail(), uniqueEmail(), uniqueEmail(), uniqueEmail()];
    const codes: string[] = [];
    for (const email of emails) {
      expect((await requestCode(stack, email)).status).toBe(202);
      codes.push(await readCode(stack, email));
    }

    // Act: the sign-ins at once.
    const answers = await Promise.all(
      emails.map((email, i) => openSession(stack, { email, code: codes[i] ?? '', profile: person })),
    );

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
    const statuses = answers.map((answer) => answer.body.citizen.status).sort();
    expect(statuses).toEqual(['held', 'held', 'held', 'verified']);
  });
});

describe('five wrong attempts, exactly, under concurrency', () => {
  it('compares no more than five of a hundred simultaneous guesses, and then refuses the right code', async () => {
    // Prepare
    const email = uniqueEmail();
    await requestCode(stack, email);
    const code = await readCode(stack, email);
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');

    // Act
    const guesses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        openSession(stack, { email, code: wrong(i), profile: uniquePerson() }),
      ),
    );

    // Assess: four "incorrect", then burned for everyone else; the counter stopped at five.
    const codes = guesses.map((guess) => guess.body.code);
    expect(codes.filter((c) => c === 'code_incorrect')).toHaveLength(4);
    expect(codes.filter((c) => c === 'code_burned')).toHaveLength(96);
    expect((await codeItem(email))?.attempts).toBe(5);
    const right = await openSession(stack, { email, code, profile: uniquePerson() });
    expect(right.body.code).toBe('code_burned');
  });

  it('accepts a right code hidden among a hundred guesses only if it is one of the five compared', async () => {
    // Prepare
    const email = uniqueEmail();
    await requestCode(stack, email);
    const code = await readCode(stack, email);
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
    const bodies = Array.from({ length: 100 }, (_, i) => ({
      email,
      code: i === 50 ? code : wrong(i),
      profile: uniquePerson(),
    }));

    // Act
    const answers = await Promise.all(bodies.map((body) => openSession(stack, body)));

    // Assess: at most five answers come from a comparison (incorrect, burned at the fifth, or accepted).
    const incorrect = answers.filter((answer) => answer.body?.code === 'code_incorrect').length;
    const accepted = answers.filter((answer) => answer.status === 201).length;
    expect(incorrect).toBeLessThanOrEqual(4);
    expect(incorrect + accepted).toBeLessThanOrEqual(5);
    expect(accepted).toBeLessThanOrEqual(1);
  });
});

describe('nobody can lock someone else out', () => {
  it('sends one code for thirty simultaneous requests', async () => {
    // Prepare
    const email = uniqueEmail();

    // Act
    const answers = await Promise.all(Array.from({ length: 30 }, () => requestCode(stack, email)));

    // Assess
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
    expect(answers.filter((answer) => answer.body?.code === 'code_cooldown')).toHaveLength(29);
    await readCode(stack, email);
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('does not let refused requests spend an address’s hourly quota', async () => {
    // Prepare: an anonymous caller asks five times in a row for a victim's address.
    const victim = uniqueEmail();
    const attacker = [];
    for (let i = 0; i < 5; i++) attacker.push(await requestCode(stack, victim));
    expect(attacker.map((answer) => answer.status)).toEqual([202, 429, 429, 429, 429]);
    expect(attacker.slice(1).map((answer) => answer.body.code)).toEqual(Array(4).fill('code_cooldown'));

    // Act: the cooldown has passed (moved back rather than waited for); the victim asks for a code.
    const hash = await stackHash(stack);
    await documents.send(
      new UpdateCommand({
        TableName: stack.tableName,
        Key: { pk: `IDCODE#${hash.emailKey(victim)}`, sk: 'CODE' },
        UpdateExpression: 'SET issuedAt = :before',
        ExpressionAttributeValues: { ':before': '2000-01-01T00:00:00.000Z' },
      }),
    );
    const mine = await requestCode(stack, victim);

    // Assess: sent, and the code signs in.
    expect(mine.status, JSON.stringify(mine.body)).toBe(202);
    const code = await readCode(stack, victim, 1);
    expect((await openSession(stack, { email: victim, code, profile: uniquePerson() })).status).toBe(201);
  });
});
