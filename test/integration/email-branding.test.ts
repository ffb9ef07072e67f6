import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { receiptEmail } from '../../functions/voting/receipt-email.ts';
import { dynamoVotingRepository } from '../../functions/voting/voting-repository.ts';
import { readMailbox } from '../../local/ses.ts';
import { api, eventually } from '../support/api.ts';
import { citizenFactory } from '../support/citizens.ts';
import '../support/stack-context.ts';
import { openVote } from '../support/voting.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
const votes = dynamoVotingRepository(factory.documents, stack.tableName, stack.edition);
afterAll(() => factory.close());

let edition: { name: string; identity: { name: string } };
const logoUrl = `${stack.siteUrl}/edition-logo.png`;

/** The button mjml draws: a link styled as one, its words alone inside. */
const buttonTo = (href: string, label: string) =>
  new RegExp(`<a\\s+href="${href.replace(/[.?/]/g, '\\$&')}"[^>]*>\\s*${label}\\s*</a>`);

describe('emails that come from the Département, as the SES emulator stores them', () => {
  beforeAll(async () => {
    edition = (await api(stack, 'GET', editionPath)).body.edition;
    await openVote(stack, factory.documents);
  });

  it('gives the receipt email the Département’s name, its logo and a button, with the same plain text', async () => {
    // Prepare
    const snapshot = (await votes.getSnapshot())?.snapshot;
    const nantes = (snapshot?.projects ?? []).filter((p) => p.envelope === 'nantes').map((p) => p.id);
    const voter = await factory.create('nantes');

    // Act
    const cast = await api(stack, 'POST', `${editionPath}/ballots`, {
      token: voter.token,
      body: { choices: { nantes: nantes.slice(0, 3) }, emailReceipt: true },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(cast.status).toBe(201);
    const [mail] = (await readMailbox(stack.mailboxUrl)).filter((m) =>
      m.destination.to.includes(voter.email),
    );

    // Assess
    if (!mail) throw new Error('No receipt email in the mailbox');
    const html = mail.body.html ?? '';
    expect(edition.identity.name).toBe('Département de Loire-Atlantique');
    expect(html).toContain(`>${edition.identity.name}</div>`);
    expect(html).toMatch(new RegExp(`<img[^>]*src="${logoUrl.replace(/[.?/]/g, '\\$&')}"`));
    expect(html).toMatch(buttonTo(`${stack.siteUrl}/recu.html`, 'Vérifier mon reçu'));
    // The plain-text part is the template's, word for word: the brand only dresses the HTML.
    const expected = receiptEmail({
      to: voter.email,
      receipt: cast.body.receipt,
      editionName: edition.name,
      siteUrl: stack.siteUrl,
    });
    expect(mail.body.text?.replace(/\r\n/g, '\n').trimEnd()).toBe(expected.text.trimEnd());
  });

  it('gives the coordinators’ phase email the same header and its button', async () => {
    // Prepare: openVote moved the phase; the notification reaches the coordinators through the bus.
    // The edition file's first coordinator (`staff.coordinators`), whom phase changes are announced to.
    const coordinator = { email: 'coordination.bp@demo.loire-atlantique.example' };

    // Act
    const mail = await eventually(
      async () =>
        (await readMailbox(stack.mailboxUrl)).find(
          (m) => m.destination.to.includes(coordinator.email) && m.subject.includes('« Vote » commence'),
        ),
      30_000,
    );

    // Assess
    const html = mail.body.html ?? '';
    expect(html).toContain(`>${edition.identity.name}</div>`);
    expect(html).toMatch(new RegExp(`<img[^>]*src="${logoUrl.replace(/[.?/]/g, '\\$&')}"`));
    expect(html).toMatch(buttonTo(`${stack.siteUrl}/staff/`, 'Espace des équipes'));
    expect(mail.body.text).toContain(`Espace des équipes : ${stack.siteUrl}/staff/`);
    expect(mail.body.text).not.toContain(edition.identity.name);
  });

  it('serves the logo the emails point to, as a PNG rendered from the edition’s SVG', async () => {
    const response = await fetch(logoUrl);
    expect(response.status).toBe(200);
    const png = Buffer.from(await response.arrayBuffer());
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(112);
  });
});
