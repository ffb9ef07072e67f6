/**
 * The rehearsal's mailbox (bin/rehearse/mailbox.ts) over a source that forgets its oldest emails, as the SES
 * emulator does: it reads all along, not only while someone waits, and keeps little of each email.
 */
import { describe, expect, it } from 'vitest';
import { linksOf, type Mail, Mailbox, type MailSource } from '../../bin/rehearse/mailbox.ts';

const SITE = 'http://127.0.0.1:4100';

function mail(n: number): Mail {
  return {
    messageId: `m-${n}`,
    destination: { to: [`camille-${n}@exemple.fr`] },
    subject: `[Budget participatif] Votre idée est publiée (${n})`,
    body: {
      text: `Voir votre idée : ${SITE}/idee.html?id=${n}`,
      html: `<p>Voir votre idée : <a href="${SITE}/idee.html?id=${n}">ici</a></p>${'<td>…</td>'.repeat(500)}`,
    },
    at: 1_700_000_000 + n,
  };
}

/** A source whose emails arrive when the test says, each read counted. */
function source(keepsRecentOnly: boolean) {
  const arrived: Mail[] = [];
  let reads = 0;
  const read: MailSource['read'] = async (since) => {
    reads += 1;
    return arrived.filter((m) => m.at >= since);
  };
  return {
    source: { read, keepsRecentOnly } satisfies MailSource,
    arrive: (m: Mail) => arrived.push(m),
    reads: () => reads,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the rehearsal’s mailbox', () => {
  it('reads a source that forgets its oldest emails even while nobody waits for one', async () => {
    // Prepare
    const emulator = source(true);
    const mailbox = new Mailbox(emulator.source, 10);

    // Act
    emulator.arrive(mail(1));
    emulator.arrive(mail(2));
    await sleep(200);
    const seen = mailbox.mails.map((m) => m.messageId);
    mailbox.stop();
    const readsAtStop = emulator.reads();
    await sleep(100);

    // Assess
    expect(seen).toEqual(['m-1', 'm-2']);
    expect(emulator.reads()).toBe(readsAtStop);
  });

  it('reads a source that keeps every email only when someone waits', async () => {
    // Prepare
    const bucket = source(false);
    const mailbox = new Mailbox(bucket.source, 10);
    bucket.arrive(mail(1));

    // Act
    await sleep(100);
    const readsBeforeWaiting = bucket.reads();
    const found = await mailbox.waitFor('camille-1@exemple.fr', () => true, { timeoutMs: 2_000 });
    mailbox.stop();

    // Assess
    expect(readsBeforeWaiting).toBe(0);
    expect(found.messageId).toBe('m-1');
  });

  it('keeps the text alternative of an email, not its HTML, and still finds its links', async () => {
    // Prepare
    const emulator = source(true);
    const mailbox = new Mailbox(emulator.source, 10);
    emulator.arrive(mail(3));

    // Act
    await mailbox.refresh();
    mailbox.stop();
    const [kept] = mailbox.mails;

    // Assess
    expect(kept?.body).toEqual({ text: `Voir votre idée : ${SITE}/idee.html?id=3` });
    expect(kept && linksOf(kept, SITE)).toEqual([`${SITE}/idee.html?id=3`]);
  });
});

describe('the rehearsal’s mailbox, on the emulator’s random message ids', () => {
  it('keeps two emails that share a message id, and an email read twice once', async () => {
    // Prepare: the emulator's ids are 9 random digits; among ~127,000 emails some pairs collide.
    const emulator = source(true);
    const mailbox = new Mailbox(emulator.source, 10);
    const first = mail(1);
    const other = { ...mail(2), messageId: first.messageId };
    emulator.arrive(first);

    // Act
    await mailbox.refresh();
    emulator.arrive(other);
    await mailbox.refresh();
    await mailbox.refresh();
    mailbox.stop();

    // Assess
    expect(mailbox.mails.map((m) => m.destination.to[0])).toEqual([
      'camille-1@exemple.fr',
      'camille-2@exemple.fr',
    ]);
    expect(mailbox.mailsTo('camille-2@exemple.fr')).toHaveLength(1);
  });
});
