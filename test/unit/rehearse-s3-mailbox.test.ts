/**
 * The staging mailbox source of `bp rehearse` against the S3 emulator (s3rver, started in this process): messages
 * stored as SES stores them (raw MIME, one object per message under `mailbox/`), composed by nodemailer from the
 * platform's own email templates.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rehearseCommand } from '../../bin/commands/rehearse.ts';
import { codeOf, linksOf, Mailbox } from '../../bin/rehearse/mailbox.ts';
import { parseS3MailboxUri, s3MailSource } from '../../bin/rehearse/s3-mailbox.ts';
import { codeEmail } from '../../functions/identity/templates/code-email.ts';
import { ideaEmail } from '../../functions/notifications/templates/idea-emails.ts';
import { type S3Emulator, startS3Emulator } from '../../local/s3.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import type { OutgoingEmail } from '../../shared/email/mailer.ts';

const BUCKET = 'bp-test-rehearsalmailbox-mailbox';
const SITE = 'https://budget-participatif.staging.demo.loire-atlantique.example';
const DOMAIN = 'repetition.staging.demo.loire-atlantique.example';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dir: string;
let s3: S3Emulator;
let client: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bp-s3-mailbox-'));
  s3 = await startS3Emulator({
    port: 0,
    directory: dir,
    // The emulator makes two buckets: the mailbox, and one this test leaves empty.
    bucket: BUCKET,
    picturesBucket: 'bp-test-unused',
    siteOrigins: [SITE],
    ...credentials,
  });
  client = new S3Client({ endpoint: s3.endpoint, region: 'eu-west-1', credentials, forcePathStyle: true });
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

let stored = 0;
/** Stores `email` as SES receiving does: the raw message, under `mailbox/<SES message id>`. */
async function receive(
  email: OutgoingEmail,
  key = `mailbox/ses-${++stored}-${Date.now().toString(36)}`,
  verdicts = { spam: 'PASS', virus: 'PASS' },
) {
  const raw = await new MailComposer({
    from: 'Budget participatif <budget-participatif@demo.loire-atlantique.example>',
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    // What SES receiving adds when the rule scans for spam and viruses.
    headers: { 'X-SES-Spam-Verdict': verdicts.spam, 'X-SES-Virus-Verdict': verdicts.virus },
  })
    .compile()
    .build();
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: raw }));
  return key;
}

const person = (n: number) => `camille-${n}-qzxrt@${DOMAIN}`;

describe('the staging mailbox (s3://<bucket>/mailbox/)', () => {
  it('reads the code of a « code de vérification » email and the links of an idea email, as the driver does', async () => {
    // Prepare
    const edition = await readEditionFile('editions/loire-atlantique-demo.json');
    if (!edition.ok) throw new Error(edition.errors.join('\n'));
    const mailbox = new Mailbox(s3MailSource({ client, bucket: BUCKET, prefix: 'mailbox/' }), 50);
    // What SES writes when the rule is created: not a message.
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'mailbox/AMAZON_SES_SETUP_NOTIFICATION', Body: 'setup' }),
    );
    await receive(
      codeEmail({ to: person(1), code: '482915', editionName: edition.config.name, validMinutes: 15 }),
    );
    await receive(
      ideaEmail({
        to: person(2).toUpperCase(),
        config: edition.config,
        siteUrl: SITE,
        email: { kind: 'published', ideaId: 'idee-7&x', title: 'Un abri vélo « sécurisé » près du collège' },
      }),
    );

    // Act
    const code = await mailbox.waitFor(person(1), (mail) => mail.subject.includes('code de vérification'), {
      timeoutMs: 10_000,
    });
    const published = await mailbox.waitFor(person(2), (mail) => mail.subject.includes('publiée'), {
      timeoutMs: 10_000,
    });
    mailbox.stop();

    // Assess
    expect(code.subject).toBe('[Budget participatif] Votre code de vérification : 482915');
    expect(codeOf(code)).toBe('482915');
    expect(code.destination.to).toEqual([person(1)]);
    expect(code.body.text).toContain('Ce code est valable 15 minutes');
    expect(published.destination.to).toEqual([person(2)]);
    expect(published.body.text).toContain('Un abri vélo « sécurisé » près du collège');
    expect(linksOf(published, SITE)).toContain(`${SITE}/idee.html?id=idee-7%26x`);
    expect(mailbox.mails.map((mail) => mail.subject)).toHaveLength(2);
  });

  it('returns each message once: a second read gives only what arrived since', async () => {
    // Prepare
    const source = s3MailSource({ client, bucket: BUCKET, prefix: 'mailbox/' });
    const first = await source.read(0);
    const again = await source.read(0);

    // Act
    const key = await receive(
      codeEmail({ to: person(3), code: '000417', editionName: 'Essai', validMinutes: 15 }),
    );
    const next = await source.read(Math.max(...first.map((mail) => mail.at)));
    const last = await source.read(0);

    // Assess
    expect(first.length).toBeGreaterThanOrEqual(2);
    expect(first.map((mail) => mail.messageId)).not.toContain('mailbox/AMAZON_SES_SETUP_NOTIFICATION');
    expect(again).toEqual([]);
    expect(next.map((mail) => [mail.messageId, codeOf(mail)])).toEqual([[key, '000417']]);
    expect(next[0]?.body.html).toContain('000417');
    expect(last).toEqual([]);
  });

  it('leaves out messages of an earlier rehearsal and objects outside its prefix', async () => {
    // Prepare: a source made an hour from now sees everything stored so far as an earlier rehearsal's.
    const later = s3MailSource({
      client,
      bucket: BUCKET,
      prefix: 'mailbox/',
      notBefore: Date.now() / 1000 + 3600,
    });
    const now = s3MailSource({ client, bucket: BUCKET, prefix: 'mailbox/' });
    await receive(
      codeEmail({ to: person(4), code: '111111', editionName: 'Essai', validMinutes: 15 }),
      'other/x',
    );

    // Act
    const fromLater = await later.read(0);
    const fromNow = await now.read(0);

    // Assess
    expect(fromLater).toEqual([]);
    expect(fromNow.some((mail) => mail.messageId === 'other/x')).toBe(false);
    expect(fromNow.length).toBeGreaterThanOrEqual(3);
  });

  it('leaves out what SES found to be spam or a virus: the test subdomain takes mail from anyone', async () => {
    // Prepare
    const source = s3MailSource({ client, bucket: BUCKET, prefix: 'mailbox/' });
    await source.read(0);
    const junk = codeEmail({ to: person(5), code: '999999', editionName: 'Essai', validMinutes: 15 });
    await receive(junk, undefined, { spam: 'FAIL', virus: 'PASS' });
    await receive(junk, undefined, { spam: 'PASS', virus: 'FAIL' });
    const kept = await receive(junk);

    // Act
    const mails = await source.read(0);

    // Assess
    expect(mails.map((mail) => mail.messageId)).toEqual([kept]);
  });
});

describe('bp rehearse --mailbox s3://…', () => {
  it('parses the stack’s MailboxUri output into a bucket and a prefix', () => {
    expect(parseS3MailboxUri('s3://bp-demo-rehearsalmailbox-mailbox1a2b/mailbox/')).toEqual({
      bucket: 'bp-demo-rehearsalmailbox-mailbox1a2b',
      prefix: 'mailbox/',
    });
    expect(parseS3MailboxUri('s3://bucket/mailbox')).toEqual({ bucket: 'bucket', prefix: 'mailbox/' });
    expect(parseS3MailboxUri('s3://bucket')).toEqual({ bucket: 'bucket', prefix: '' });
    expect(parseS3MailboxUri('s3://Bad_Bucket/mailbox/')).toBeUndefined();
    expect(parseS3MailboxUri('http://127.0.0.1:4513')).toBeUndefined();
  });

  it('refuses a malformed s3:// mailbox before starting', async () => {
    // Prepare
    const err: string[] = [];

    // Act
    const code = await rehearseCommand.run(
      ['--url', 'http://127.0.0.1:1', '--mailbox', 's3://Bad_Bucket/x'],
      {
        out: () => {},
        err: (line) => err.push(line),
      },
    );

    // Assess
    expect(code).toBe(2);
    expect(err).toEqual([
      'bp rehearse : --mailbox : s3://<compartiment>/<préfixe> attendu (« s3://Bad_Bucket/x »)',
    ]);
  });
});
