import { describe, expect, inject, it } from 'vitest';
import { readMailbox } from '../../local/ses.ts';
import { api, eventually, staffToken } from '../support/api.ts';
import { identityPath, NANTAISE, signInCitizen } from '../support/identity.ts';
import '../support/stack-context.ts';

const stack = inject('stack');

describe('one person, one identity: duplicate review', () => {
  it('holds a probable second identity, tells coordinators without personal data, and a coordinator clears it', async () => {
    // Prepare: a person already verified, with a name unique to this run.
    const person = {
      ...NANTAISE,
      lastName: `Doublon ${Date.now().toString(36).replace(/\d/g, '')}`,
      birthDate: '1985-03-02',
    };
    const first = await signInCitizen(stack, person);
    expect(first.response.body.citizen.status).toBe('verified');

    // Act: the same person, names written differently, with another email.
    const second = await signInCitizen(stack, {
      ...person,
      firstName: person.firstName.toUpperCase(),
      lastName: person.lastName.toLowerCase().replace(' ', '-'),
    });

    // Assess: held, in the coordinators' queue, with an email to them.
    expect(second.response.status).toBe(201);
    expect(second.response.body.citizen.status).toBe('held');
    const coordinator = await staffToken(stack, 'coordinator');
    const queue = await api(stack, 'GET', identityPath(stack, '/staff/identity/reviews'), {
      token: coordinator,
    });
    expect(queue.status).toBe(200);
    const review = queue.body.reviews.find(
      (candidate: { heldCitizenId: string }) => candidate.heldCitizenId === second.response.body.citizen.id,
    );
    expect(review).toMatchObject({ status: 'open', otherCitizenIds: [first.response.body.citizen.id] });
    expect(review.identities).toHaveLength(2);
    const mail = await eventually(async () =>
      (await readMailbox(stack.mailboxUrl)).find((candidate) =>
        candidate.body.text?.includes(review.reviewId),
      ),
    );
    expect(mail.subject).toContain('Doublon possible à examiner');
    expect(`${mail.subject}${mail.body.text}${mail.body.html}`).not.toMatch(
      new RegExp(`${person.lastName}|${first.email}|${second.email}|1985`, 'i'),
    );

    // A reason is required; then the coordinator clears it and the decision is recorded.
    const noReason = await api(
      stack,
      'POST',
      identityPath(stack, `/staff/identity/reviews/${review.reviewId}`),
      {
        token: coordinator,
        body: { outcome: 'clear' },
      },
    );
    expect(noReason.status).toBe(400);
    const cleared = await api(
      stack,
      'POST',
      identityPath(stack, `/staff/identity/reviews/${review.reviewId}`),
      {
        token: coordinator,
        body: { outcome: 'clear', reason: 'Deux personnes distinctes : pièces vérifiées en mairie' },
      },
    );
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({
      status: 'cleared',
      decision: { outcome: 'clear', by: expect.any(String), at: expect.any(String) },
    });
    const me = await api(stack, 'GET', identityPath(stack, '/me'), { token: second.token });
    expect(me.body.identity.status).toBe('verified');
    const again = await api(
      stack,
      'POST',
      identityPath(stack, `/staff/identity/reviews/${review.reviewId}`),
      {
        token: coordinator,
        body: { outcome: 'reject', reason: 'Deuxième décision' },
      },
    );
    expect(again.status).toBe(409);
  });
});
