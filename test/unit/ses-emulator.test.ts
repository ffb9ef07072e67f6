/**
 * The SES emulator of the local platform (local/ses.ts, aws-ses-v2-local in this process): its mailbox keeps the
 * newest emails only, so that a long run (a 100,000-voter rehearsal sends ~150,000) does not fill the heap.
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearMailbox, readMailbox, type SesEmulator, startSesEmulator } from '../../local/ses.ts';

let ses: SesEmulator;
let client: SESv2Client;

beforeAll(async () => {
  ses = await startSesEmulator({ port: 0, mailboxLimit: 3 });
  client = new SESv2Client({
    endpoint: ses.endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  client.destroy();
  await ses.stop();
});
beforeEach(() => clearMailbox(ses.endpoint));

const send = (subject: string) =>
  client.send(
    new SendEmailCommand({
      FromEmailAddress: 'ne-pas-repondre@demo.loire-atlantique.example',
      Destination: { ToAddresses: ['camille@exemple.fr'] },
      Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: `Corps de ${subject}` } } } },
    }),
  );

describe('the SES emulator’s mailbox', () => {
  it('keeps the newest emails up to its limit and forgets the oldest', async () => {
    // Prepare
    const subjects = ['n°1', 'n°2', 'n°3', 'n°4', 'n°5'];

    // Act
    for (const subject of subjects) await send(subject);
    const kept = await readMailbox(ses.endpoint);

    // Assess
    expect(kept.map((mail) => mail.subject)).toEqual(['n°3', 'n°4', 'n°5']);
    expect(kept[2]?.body.text).toBe('Corps de n°5');
  });

  it('still answers a read since a second with the kept emails of that second and later', async () => {
    // Prepare
    for (const subject of ['a', 'b', 'c', 'd']) await send(subject);
    const [first] = await readMailbox(ses.endpoint);
    if (!first) throw new Error('no email kept');

    // Act
    const since = await readMailbox(ses.endpoint, first.at);
    const later = await readMailbox(ses.endpoint, first.at + 3600);

    // Assess
    expect(since.map((mail) => mail.subject)).toEqual(['b', 'c', 'd']);
    expect(later).toEqual([]);
  });

  it('keeps to its limit after the mailbox was cleared (the package then holds a new list)', async () => {
    // Prepare
    for (const subject of ['x1', 'x2']) await send(subject);
    await clearMailbox(ses.endpoint);

    // Act
    for (const subject of ['y1', 'y2', 'y3', 'y4']) await send(subject);

    // Assess
    expect((await readMailbox(ses.endpoint)).map((mail) => mail.subject)).toEqual(['y2', 'y3', 'y4']);
  });

  it('refuses a limit that is not a whole number of emails', async () => {
    await expect(startSesEmulator({ port: 0, mailboxLimit: 0 })).rejects.toThrow(/mailboxLimit/);
  });
});
