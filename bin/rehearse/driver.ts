/**
 * `bp rehearse`: a whole edition driven through the HTTP API as its clients would, from the call for ideas to
 * the follow-up of the winners, against a running platform (`npm start`, or a test stack). Inhabitants sign
 * in with the code the mailbox received, staff with their accounts; time moves with the local clock
 * (`/__local/clock/advance`), or, against a deployed edition, follows its calendar in real time
 * (`platform.ts`), so the phase schedules fire by themselves. Checks the invariants along the way and at the
 * end, prints per-phase figures and the bill of such an edition on AWS. See docs/rehearsal.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REHEARSAL_MAILBOX_REGION } from '../../lib/deploy-config.ts';
import { signInWithTotp } from '../../local/staff-sign-in.ts';
import { runRecount } from '../../packages/counting/src/recount-cli.ts';
import { editionBill } from './cost.ts';
import { type Answer, CallError, Client, loopbackAddress } from './http.ts';
import {
  along,
  ballotsMatchFiles,
  ballotsOfPabulib,
  deadLettersEmpty,
  emailsOnce,
  type Invariant,
  invariantsField,
  receiptsCheck,
  recountMatches,
  turnoutMatches,
} from './invariants.ts';
import { codeOf, linksOf, type Mail, Mailbox, sesEmulatorSource } from './mailbox.ts';
import { Metrics, type PhaseFigures } from './metrics.ts';
import { ideaText, letters, type Person, person, pick, type Random, randomSource, sample } from './people.ts';
import { localPlatform, type Platform, platformKind } from './platform.ts';

/** A staff account the rehearsal signs in with. */
export interface StaffCredentials {
  username: string;
  password: string;
  totpSecret?: string;
  newPassword?: string;
}

export interface RehearseOptions {
  /** The site's origin (API under `/api`, `/config.json` beside it). */
  url: string;
  voters: number;
  ideas: number;
  concurrency: number;
  seed: number;
  projectsPerEnvelope: number;
  /** The local bus (clock, idle, dead letters); default: the site's port + 13, as `npm start` places it. */
  busUrl?: string;
  /**
   * A deployed edition (time is real, dead letters in SQS); default: when `busUrl` is absent and the site is
   * not on the loopback (`platformKind`).
   */
  deployed?: boolean;
  /** Deployed: the longest the calendar may make the run wait, in ms. @default 2 hours */
  maxWaitMs?: number;
  /** Deployed: the edition's region (its dead-letter queues). @default eu-west-3 */
  region?: string;
  /**
   * The mailbox: the SES emulator's URL, or `s3://<bucket>/<prefix>` for a staging mailbox (the `MailboxUri`
   * output of `Bp-<edition>-RehearsalMailbox`); default: the `mailboxUrl` of the site's `/config.json`.
   */
  mailboxUrl?: string;
  /** Region of an `s3://` mailbox; default: where the staging mailbox stack is (eu-west-1). */
  mailboxRegion?: string;
  /** Share of the voters who check their receipt after the publication. */
  receiptSample: number;
  /** Paper sheets, each typed by two coordinators. */
  paperSheets: number;
  mailDomain: string;
  /**
   * Staff accounts by role; default: the demo accounts `npm start` seeds. `totpSecret` is the account's TOTP
   * secret (default: the local stack's seeded one, `localTotpSecret(username)`).
   */
  staff?: Record<string, StaffCredentials>;
  log: (line: string) => void;
}

export interface RehearseReport {
  voters: number;
  ballots: number;
  invariants: Invariant[];
  phases: PhaseFigures[];
  seconds: number;
  bill: { lines: [string, string, number][]; total: number };
  summary: string;
}

const CODE_SUBJECT = 'code de vérification';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// biome-ignore lint/suspicious/noExplicitAny: the edition as the public API returns it, read by path
type Edition = any;

interface Voter {
  person: Person;
  ballot?: Record<string, string[]>;
  receipt?: string;
  emailReceipt?: boolean;
}

/** Runs `work` over `items`, `concurrency` at a time; the first failure does not stop the others. */
async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, i: number) => Promise<void>,
) {
  let next = 0;
  const failures: string[] = [];
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      try {
        await work(items[i] as T, i);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return failures;
}

/** Paris wall time `local` (`YYYY-MM-DDTHH:mm`) as an instant; the offset read from Intl for that day. */
export function parisInstant(local: string, timeZone: string): Date {
  const asUtc = new Date(`${local}:00Z`);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(asUtc);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const shown = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return new Date(asUtc.getTime() - (shown - asUtc.getTime()));
}

/**
 * The vote's arrival curve: slices of the window with their share of the voters. A peak in the first hours,
 * a long quiet middle, a second peak on the last evening (the shape of French participatory budgets' turnout).
 */
export function arrivalCurve(opensAt: Date, closesAt: Date): { label: string; at: Date; share: number }[] {
  const open = opensAt.getTime();
  const close = closesAt.getTime();
  const slices = [
    { label: 'opening hour', at: open + MINUTE, share: 0.14 },
    { label: 'first day', at: open + 2 * HOUR, share: 0.14 },
    { label: 'second day', at: open + DAY, share: 0.1 },
    { label: 'rest of week 1', at: open + 2 * DAY, share: 0.14 },
    { label: 'week 2', at: open + 7 * DAY, share: 0.12 },
    { label: 'week 3', at: open + 14 * DAY, share: 0.1 },
    { label: 'last day', at: close - 15 * HOUR, share: 0.12 },
    { label: 'last evening', at: close - 5 * HOUR, share: 0.14 },
  ];
  return slices
    .filter((slice) => slice.at < close - 30 * MINUTE)
    .map((slice) => ({ label: slice.label, at: new Date(slice.at), share: slice.share }));
}

/** The three weeks the arrival curve is drawn for. */
const REFERENCE_VOTE = { open: Date.UTC(2026, 0, 5, 8), close: Date.UTC(2026, 0, 26, 22, 59) };

/**
 * The arrival curve of a vote that lasts minutes (a staging edition's compressed calendar): the same slices and
 * shares, each at the same fraction of the window as in a three-week vote, from a minute after the opening to
 * two minutes before the close.
 */
export function compressedArrivalCurve(
  opensAt: Date,
  closesAt: Date,
): { label: string; at: Date; share: number }[] {
  const usable = closesAt.getTime() - opensAt.getTime() - 3 * MINUTE;
  if (usable <= 0)
    throw new Error(
      `The vote lasts ${Math.round((closesAt.getTime() - opensAt.getTime()) / MINUTE)} min: a rehearsal needs more than 3`,
    );
  // From the reference's first slice (a minute after its opening) to its close.
  const first = REFERENCE_VOTE.open + MINUTE;
  const span = REFERENCE_VOTE.close - first;
  return arrivalCurve(new Date(REFERENCE_VOTE.open), new Date(REFERENCE_VOTE.close)).map((slice) => ({
    label: slice.label,
    at: new Date(opensAt.getTime() + MINUTE + Math.round(((slice.at.getTime() - first) / span) * usable)),
    share: slice.share,
  }));
}

/** A deployed edition's platform: its API's clock, its SQS dead-letter queues (`bp dlq list`'s code). */
async function openDeployedPlatform(options: {
  clockUrl: string;
  edition: string;
  region: string;
  maxWaitMs: number;
  log: (line: string) => void;
}): Promise<Platform> {
  const { deployedPlatform, httpServerClock } = await import('./platform.ts');
  const { deadLetterCounts } = await import('../commands/dlq.ts');
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const sqs = new SQSClient({ region: options.region });
  const platform = await deployedPlatform({
    serverNow: httpServerClock(options.clockUrl),
    deadLetterCounts: () => deadLetterCounts(sqs, options.edition),
    maxWaitMs: options.maxWaitMs,
    log: options.log,
  });
  return { ...platform, close: () => sqs.destroy() };
}

/**
 * The SES emulator's store, or a staging mailbox bucket (`s3://`), polled every second: each poll lists the
 * prefix, and a rehearsal lasts long enough for a faster pace to cost requests for nothing.
 */
async function openMailbox(url: string, region = REHEARSAL_MAILBOX_REGION): Promise<Mailbox> {
  if (!url.startsWith('s3://')) return new Mailbox(sesEmulatorSource(url));
  const { parseS3MailboxUri, s3MailSource } = await import('./s3-mailbox.ts');
  const location = parseS3MailboxUri(url);
  if (!location) throw new Error(`--mailbox ${url}: expected s3://<bucket>/<prefix>`);
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new Mailbox(s3MailSource({ ...location, client: new S3Client({ region }) }), 1_000);
}

export async function rehearse(options: RehearseOptions): Promise<RehearseReport> {
  const started = performance.now();
  const log = options.log;
  const origin = new URL(options.url);
  const metrics = new Metrics();
  const random: Random = randomSource(options.seed);
  const run = letters(Math.floor(Date.now() / 1000) % 26 ** 5);
  const invariants: Invariant[] = [];
  const clients: Client[] = [];
  const client = (n?: number) => {
    const made = new Client(origin, metrics, n === undefined ? undefined : loopbackAddress(n));
    clients.push(made);
    return made;
  };
  const staffClient = client();

  // ---- Where things are --------------------------------------------------------------------------------
  const siteConfig = (await staffClient.call('GET', '/config.json')).body as {
    edition: string;
    mailboxUrl?: string;
    cognito: { clientId: string; userPoolId: string; endpoint: string; region: string };
  };
  const busUrl = options.busUrl ?? `${origin.protocol}//${origin.hostname}:${Number(origin.port || 80) + 13}`;
  const mailboxUrl = options.mailboxUrl ?? siteConfig.mailboxUrl;
  if (!mailboxUrl) throw new Error('No mailbox: pass --mailbox (the site config names none)');
  const mailbox = await openMailbox(mailboxUrl, options.mailboxRegion);
  const editionPath = `/api/editions/${siteConfig.edition}`;
  const { edition, phase } = (await staffClient.call('GET', editionPath)).body as {
    edition: Edition;
    phase: { current: string };
  };
  if (!['setup', 'ideas'].includes(phase.current))
    throw new Error(
      `The edition is in phase « ${phase.current} »: a rehearsal starts before or at the call for ideas (npm run reset, then npm start)`,
    );
  const at = (local: string) => parisInstant(local, edition.timeZone);
  const envelopes: string[] = [
    ...edition.territories.map((t: { id: string }) => t.id),
    ...(edition.budget.departementWide ? [edition.budget.departementWide.id] : []),
  ];
  const minChoices: number = edition.ballot.kind === 'approval' ? edition.ballot.minChoices : 1;
  const maxChoices: number = edition.ballot.kind === 'approval' ? edition.ballot.maxChoices : 1;
  const perEnvelope = Math.max(minChoices, options.projectsPerEnvelope);
  if (options.ideas < Math.ceil(envelopes.length * perEnvelope * 1.25))
    throw new Error(
      `--ideas ${options.ideas}: at least ${Math.ceil(envelopes.length * perEnvelope * 1.25)} ideas are needed for ${perEnvelope} projects in each of ${envelopes.length} envelopes`,
    );
  const territories = edition.territories.map((t: { id: string; communes: string[] }) => ({
    id: t.id,
    communes: t.communes,
    weight: t.communes.length,
  }));
  const expectedMails = new Map<string, Map<string, { min: number; max: number }>>();
  /** One more email to `to` whose subject holds `fragment`, or up to `attempts` when the request was retried. */
  const expectMail = (to: string, fragment: string, attempts = 1) => {
    const forRecipient = expectedMails.get(to) ?? new Map<string, { min: number; max: number }>();
    const known = forRecipient.get(fragment) ?? { min: 0, max: 0 };
    forRecipient.set(fragment, { min: known.min + 1, max: known.max + attempts });
    expectedMails.set(to, forRecipient);
  };

  // ---- The platform: clock, idle, dead letters (the local bus, or a deployed edition's real time) --------
  const platform: Platform =
    platformKind(options) === 'local'
      ? await localPlatform(busUrl)
      : await openDeployedPlatform({
          clockUrl: `${origin.origin}${editionPath}`,
          edition: siteConfig.edition,
          region: options.region ?? 'eu-west-3',
          maxWaitMs: options.maxWaitMs ?? 2 * HOUR,
          log,
        });
  // The last move of time is past the publication: refused now, not hours into the run.
  await platform.plan(new Date(at(edition.calendar.resultsAt).getTime() + MINUTE));
  const staffTokens = new Map<string, Promise<string>>();
  /** Moves the platform's time to `to` (never back), lets what fell due happen; staff sessions start again. */
  const clockTo = async (to: Date) => {
    await platform.moveTo(to);
    staffTokens.clear();
  };
  const waitPhase = async (expected: string) => {
    let current = '';
    for (let i = 0; i < platform.phaseWait.attempts; i++) {
      current = (await staffClient.call('GET', editionPath)).body.phase.current;
      if (current === expected) return;
      await new Promise((resolve) => setTimeout(resolve, platform.phaseWait.intervalMs));
    }
    // Deployed, a phase already past means the calendar left too little time for the work (docs/rehearsal.md).
    throw new Error(
      `The edition did not reach the phase « ${expected} » by its schedule (it is in « ${current} »)`,
    );
  };

  // ---- Staff: SRP then the TOTP code, as the staff sign-in page does it --------------------------------------
  // The demo accounts `npm start` seeds (local/stack.ts): `<role>@<domain of mailFrom>`, the instructor being
  // the first contact of the first service; read from the edition file when it is at hand.
  const editionFile = await readFile(join('editions', `${siteConfig.edition}.json`), 'utf8')
    .then((text) => JSON.parse(text))
    .catch(() => undefined);
  const domain = String(editionFile?.mailFrom ?? '@').split('@')[1];
  const staffAccounts: Record<string, StaffCredentials> = options.staff ?? {};
  const account = (role: string) => {
    const named = staffAccounts[role];
    if (named) return named;
    if (!editionFile) throw new Error(`No account for the role ${role}: name one in --staff`);
    const username =
      role === 'instructor' ? String(editionFile.services?.[0]?.contacts?.[0]?.email) : `${role}@${domain}`;
    return { username, password: `Demo-${role}-2026!` };
  };
  const cognito = async (target: string, body: unknown) => {
    const response = await fetch(siteConfig.cognito.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Cognito ${target}: ${response.status} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : {};
  };
  const cognitoTarget = {
    endpoint: siteConfig.cognito.endpoint,
    userPoolId: siteConfig.cognito.userPoolId,
    clientId: siteConfig.cognito.clientId,
  };
  const signInStaff = async (user: StaffCredentials) => {
    const tokens = await signInWithTotp(cognitoTarget, user.username, user.password, {
      ...(user.totpSecret ? { totpSecret: user.totpSecret } : {}),
      ...(user.newPassword ? { newPassword: user.newPassword } : {}),
    });
    return tokens.idToken;
  };
  const staff = (role: string): Promise<string> => {
    const known = staffTokens.get(role);
    if (known) return known;
    const token = (async () => {
      const user =
        role === 'second-coordinator'
          ? (staffAccounts['second-coordinator'] ?? (await secondCoordinator()))
          : account(role);
      return signInStaff(user);
    })();
    // Shared by the calls made meanwhile; forgotten if it fails, so the next call tries again.
    staffTokens.set(role, token);
    token.catch(() => staffTokens.delete(role));
    return token;
  };
  /**
   * Double entry needs a second coordinator; the demo seeds one account per role. Locally the rehearsal adds
   * one to the staff pool as ops would (cognito-local's admin API); elsewhere it comes with `--staff`.
   */
  let second: Promise<StaffCredentials> | undefined;
  const secondCoordinator = () => {
    // One account for every sheet typed at once: the promise is shared, not its result.
    second ??= (async () => {
      const host = new URL(siteConfig.cognito.endpoint).hostname;
      if (host !== '127.0.0.1' && host !== 'localhost')
        throw new Error('A second coordinator is needed for paper sheets: name one in --staff');
      // Invited as `bp staff add` does (a temporary password): the first sign-in sets a password, then enrols.
      const username = `agent-${run}@${domain || 'repetition.example'}`;
      const pool = { UserPoolId: siteConfig.cognito.userPoolId, Username: username };
      await cognito('AdminCreateUser', {
        ...pool,
        TemporaryPassword: `Provisoire-${run}-2026!`,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: username },
          { Name: 'email_verified', Value: 'true' },
        ],
      });
      await cognito('AdminAddUserToGroup', { ...pool, GroupName: 'coordinator' });
      const first = await signInWithTotp(cognitoTarget, username, `Provisoire-${run}-2026!`, {
        newPassword: `Repetition-${run}-2026!`,
      });
      return { username, password: `Repetition-${run}-2026!`, totpSecret: first.totpSecret };
    })();
    return second;
  };

  // ---- Citizens: the code by email, then a session --------------------------------------------------------
  let signInRestarts = 0;
  const signIn = async (who: Person, http: Client, profile: boolean): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      const before = mailbox.mailsTo(who.email).length;
      await http.call('POST', `${editionPath}/identity/code`, {
        body: { email: who.email },
        expect: [202],
        label: 'POST identity/code',
      });
      expectMail(who.email, CODE_SUBJECT);
      const mail = await mailbox.waitFor(who.email, (m) => m.subject.includes(CODE_SUBJECT), {
        after: before,
      });
      const code = codeOf(mail);
      if (!code) throw new Error(`No code in « ${mail.subject} »`);
      const body = {
        email: who.email,
        code,
        ...(profile
          ? {
              profile: {
                firstName: who.firstName,
                lastName: who.lastName,
                birthDate: who.birthDate,
                commune: who.commune,
              },
            }
          : {}),
      };
      try {
        const session = await http.call('POST', `${editionPath}/identity/session`, {
          body,
          label: 'POST identity/session',
        });
        const token = session.body?.token as string | undefined;
        if (!token) throw new Error(`No session token: ${session.text.slice(0, 200)}`);
        return token;
      } catch (error) {
        // A retried session whose first attempt was spent (a 503 after the code was used): as a person would,
        // ask for a new code. Counted, and reported.
        const status = error instanceof CallError ? error.answer?.status : undefined;
        if (status !== 409 || attempt >= 2) throw error;
        signInRestarts += 1;
      }
    }
  };
  let people = 0;
  const newPerson = () => person(random, people++, run, options.mailDomain, territories);

  const phaseLog = (name: string) => {
    metrics.begin(name);
    log(`rehearse: ${name}…`);
  };

  // ---- 1. The call for ideas ------------------------------------------------------------------------------
  phaseLog('ideas');
  await clockTo(new Date(at(edition.calendar.ideasOpen).getTime() + MINUTE));
  await waitPhase('ideas');
  interface IdeaRecord {
    id: string;
    author: Person;
    title: string;
    territory: string;
    theme: string;
    cost: number;
  }
  const ideas: IdeaRecord[] = [];
  // Most authors propose one idea, some two or three.
  const authors: { who: Person; count: number }[] = [];
  for (let left = options.ideas; left > 0; ) {
    const count = Math.min(left, random() < 0.8 ? 1 : random() < 0.7 ? 2 : 3);
    authors.push({ who: newPerson(), count });
    left -= count;
  }
  const wide = edition.budget.departementWide?.id as string | undefined;
  const themes = edition.themes.map((t: { id: string }) => t.id) as string[];
  // Authors come over six weeks, not all at once: the call for ideas runs at most 16 at a time.
  const ideaFailures = await pool(authors, Math.min(16, options.concurrency), async ({ who, count }) => {
    const http = client(who.n);
    const token = await signIn(who, http, true);
    for (let k = 0; k < count; k++) {
      const text = ideaText(random, ideas.length + k * 100_000 + who.n, edition.ideaCost);
      // One idea in eight is for the whole Département.
      const territory = wide && random() < 0.125 ? wide : who.territory;
      const theme = pick(random, themes);
      // The form saves a draft at each step, then submits.
      await http.call('PUT', `${editionPath}/me/idea-draft`, {
        token,
        body: { territory, commune: who.commune, step: 1 },
        label: 'PUT me/idea-draft',
      });
      await http.call('PUT', `${editionPath}/me/idea-draft`, {
        token,
        body: {
          territory,
          commune: who.commune,
          theme,
          title: text.title,
          description: text.description,
          step: 2,
        },
        label: 'PUT me/idea-draft',
      });
      const submitted = await http.call('POST', `${editionPath}/ideas`, {
        token,
        body: {
          title: text.title,
          description: text.description,
          theme,
          territory,
          ...(territory === wide ? {} : { commune: who.commune }),
          estimatedCost: text.estimatedCost,
          proposer:
            random() < 0.8 ? { kind: 'individual' } : { kind: 'association', name: 'Les Amis du quartier' },
        },
        expect: [201],
        label: 'POST ideas',
      });
      ideas.push({
        id: submitted.body.id,
        author: who,
        title: text.title,
        territory,
        theme,
        cost: text.estimatedCost,
      });
    }
    if (options.ideas > 0)
      await http.call('GET', `${editionPath}/me/ideas`, { token, label: 'GET me/ideas' });
  });
  log(`  ${ideas.length} ideas from ${authors.length} authors`);
  for (const failure of ideaFailures.slice(0, 3)) log(`  failed: ${failure}`);

  // Supports, when the edition has them.
  if (edition.supports?.enabled) {
    const supporters = Array.from({ length: Math.min(options.voters, ideas.length * 2) }, newPerson);
    await pool(supporters, Math.min(16, options.concurrency), async (who) => {
      const http = client(who.n);
      const token = await signIn(who, http, true);
      for (const idea of sample(random, ideas, 3))
        await http.call('PUT', `${editionPath}/ideas/${idea.id}/support`, {
          token,
          label: 'PUT ideas/support',
        });
    });
  }

  // Moderation: most published, some sent back to their author (who edits), a few hidden.
  phaseLog('moderation');
  const moderator = await staff('moderator');
  const hidden = new Set<string>();
  const changes: IdeaRecord[] = [];
  const moderationFailures = await pool(ideas, Math.min(8, options.concurrency), async (idea, i) => {
    const roll = (i * 7919) % 100;
    const body =
      roll < 3
        ? {
            action: 'hide',
            rule: 'advertising',
            reason: 'Publicité pour un commerce : contraire à la charte.',
          }
        : roll < 8
          ? { action: 'request-change', reason: 'Précisez le lieu : quel quartier, quelle place ?' }
          : { action: 'publish' };
    await staffClient.call('POST', `${editionPath}/staff/ideas/${idea.id}/moderation`, {
      token: moderator,
      body,
      label: 'POST staff/ideas/moderation',
    });
    if (body.action === 'hide') hidden.add(idea.id);
    if (body.action === 'request-change') changes.push(idea);
  });
  // The authors asked for a change sign in again, edit, and the moderator publishes the new version.
  const changeFailures = await pool(changes, Math.min(8, options.concurrency), async (idea) => {
    const http = client(idea.author.n);
    const token = await signIn(idea.author, http, false);
    await http.call('PATCH', `${editionPath}/ideas/${idea.id}`, {
      token,
      body: { place: 'Place de la mairie, à côté de l’arrêt de bus' },
      label: 'PATCH ideas',
    });
    await staffClient.call('POST', `${editionPath}/staff/ideas/${idea.id}/moderation`, {
      token: await staff('moderator'),
      body: { action: 'publish' },
      label: 'POST staff/ideas/moderation',
    });
  });
  const published = ideas.filter((idea) => !hidden.has(idea.id));
  if (published.length < envelopes.length * perEnvelope)
    throw new Error(
      `Only ${published.length} ideas published, too few for ${perEnvelope} projects in each envelope: ${[...ideaFailures, ...moderationFailures].slice(0, 3).join('; ')}`,
    );
  invariants.push(
    along(
      'ideas',
      [...ideaFailures, ...moderationFailures, ...changeFailures],
      `${published.length} published`,
    ),
  );

  // ---- 2. Instruction ---------------------------------------------------------------------------------------
  phaseLog('instruction');
  await clockTo(new Date(at(edition.calendar.ideasClose).getTime() + 2 * MINUTE));
  await waitPhase('instruction');
  const service = edition.services[0].id as string;
  const dueDate = new Date(at(edition.calendar.ideasClose).getTime() + 30 * DAY).toISOString().slice(0, 10);
  // A page of the board at a time (the route takes up to 500, which is one long transaction per idea in a row).
  for (let i = 0; i < published.length; i += 50) {
    await staffClient.call('POST', `${editionPath}/staff/instruction/assignments`, {
      token: await staff('coordinator'),
      body: {
        ideaIds: published.slice(i, i + 50).map((idea) => idea.id),
        services: [{ serviceId: service, dueDate }],
      },
      label: 'POST staff/instruction/assignments',
    });
  }
  // The assignments' emails, with the signed links the instructor takes some of them from (deployed: until
  // they stop coming, once the first is there).
  await platform.idle({
    progress: async () => {
      await mailbox.refresh();
      return mailbox.mailsTo(account('instructor').username).length;
    },
    done: () => mailbox.mailsTo(account('instructor').username).length > 0,
  });
  // The projects: `perEnvelope` ideas of each envelope are retained, the cheapest last.
  const retained = new Map<string, IdeaRecord>();
  for (const envelope of envelopes) {
    const candidates = published.filter((idea) => idea.territory === envelope);
    const others = published.filter((idea) => idea.territory !== envelope && !retained.has(idea.id));
    for (const idea of [...candidates, ...others]
      .filter((idea) => !retained.has(idea.id))
      .slice(0, perEnvelope))
      retained.set(idea.id, { ...idea, territory: envelope });
  }
  // The instructor takes some assignments from the email's signed link, the rest from the staff pages.
  const instructorEmail = account('instructor').username;
  await mailbox.refresh();
  const links = mailbox
    .mailsTo(instructorEmail)
    .flatMap((mail) => linksOf(mail, origin.origin))
    .filter((link) => link.includes('/staff/lien.html'))
    .map((link) => new URL(link).searchParams.get('t') as string)
    .filter((token) => {
      try {
        return (
          JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).act === 'accept'
        );
      } catch {
        return false;
      }
    });
  const fromLinks = new Set<string>();
  for (const token of links.slice(0, Math.max(3, Math.ceil(published.length / 10)))) {
    const used = await staffClient.call('POST', `${editionPath}/staff/instruction/action-links`, {
      token: await staff('instructor'),
      body: { token },
      label: 'POST staff/instruction/action-links',
    });
    fromLinks.add(used.body.ideaId);
  }
  const reason = (text: string) => ({ reasonCode: 'criteria-met', reasonText: text });
  const instructionFailures = await pool(published, Math.min(8, options.concurrency), async (idea) => {
    const assignment = `${idea.id}.${service}`;
    const base = `${editionPath}/staff/instruction/assignments/${assignment}`;
    const token = await staff('instructor');
    if (!fromLinks.has(idea.id))
      await staffClient.call('POST', `${base}/acceptance`, {
        token,
        label: 'POST staff/instruction/acceptance',
      });
    await staffClient.call('POST', `${base}/decisions`, {
      token,
      body: {
        kind: 'admissibility',
        outcome: 'admissible',
        ...reason('L’idée relève des compétences du Département.'),
      },
      label: 'POST staff/instruction/decisions',
    });
    const feasible = retained.has(idea.id) || (idea.cost * 7) % 10 > 3;
    await staffClient.call('POST', `${base}/decisions`, {
      token,
      body: feasible
        ? {
            kind: 'feasibility',
            outcome: 'feasible',
            costEstimate: idea.cost,
            ...reason('Faisable dans l’année, sur un terrain du Département.'),
          }
        : {
            kind: 'feasibility',
            outcome: 'not-feasible',
            reasonCode: 'location',
            reasonText: 'Le terrain n’appartient pas à une collectivité.',
          },
      label: 'POST staff/instruction/decisions',
    });
  });
  // The coordinator's verdicts: the retained ideas become the projects of their envelope.
  const projectOf = new Map<string, string>();
  const verdictFailures = await pool(
    [...retained.values()],
    Math.min(8, options.concurrency),
    async (idea) => {
      const verdict = await staffClient.call(
        'POST',
        `${editionPath}/staff/instruction/dossiers/${idea.id}/verdict`,
        {
          token: await staff('coordinator'),
          body: {
            outcome: 'retained',
            ...reason('Recevable, faisable, dans le budget du territoire.'),
            project: {
              title: idea.title.slice(0, 140),
              summary: 'Un projet proposé par les habitants, retenu après l’avis des services.',
              cost: Math.min(idea.cost, edition.ideaCost.max),
              envelope: idea.territory,
              theme: idea.theme,
            },
          },
          expect: [201],
          label: 'POST staff/instruction/verdict',
        },
      );
      projectOf.set(idea.id, verdict.body.verdict?.projectId ?? verdict.body.projectId ?? `p-${idea.id}`);
    },
  );
  // The Comité citoyen gives opinions on some dossiers, then validates the list at the end of instruction.
  for (const idea of [...retained.values()].slice(0, Math.min(20, retained.size))) {
    await staffClient.call('POST', `${editionPath}/staff/instruction/dossiers/${idea.id}/committee-opinion`, {
      token: await staff('committee'),
      body: { opinion: 'favorable', text: 'Utile aux habitants, à réaliser vite.' },
      label: 'POST staff/instruction/committee-opinion',
    });
  }
  invariants.push(
    along('instruction', [...instructionFailures, ...verdictFailures], `${retained.size} projects retained`),
  );
  phaseLog('ballot list');
  await clockTo(new Date(at(edition.calendar.instructionEnd).getTime() + 2 * MINUTE));
  await waitPhase('ballot-preparation');
  const list = await staffClient.call('GET', `${editionPath}/staff/instruction/ballot-list`, {
    token: await staff('committee'),
  });
  await staffClient.call('POST', `${editionPath}/staff/instruction/ballot-list/validation`, {
    token: await staff('committee'),
    body: { listSha256: list.body.listSha256 },
    label: 'POST staff/instruction/ballot-list/validation',
  });

  // ---- 3. The vote ----------------------------------------------------------------------------------------------
  phaseLog('vote');
  const opensAt = at(edition.calendar.voteOpen);
  const closesAt = at(edition.calendar.voteClose);
  await clockTo(new Date(opensAt.getTime() + MINUTE));
  await waitPhase('vote');
  const voters: Voter[] = Array.from({ length: options.voters }, () => ({ person: newPerson() }));
  // Each envelope's projects have a popularity (a few favourites, a long tail), fixed by the seed.
  const popularity = new Map<string, number>();
  const accepted = new Map<string, string[][]>(envelopes.map((e) => [e, []]));
  const voteFailures: string[] = [];
  const votersByTerritory: string[] = [];
  const refusals: string[] = [];
  const curve =
    platform.kind === 'local' ? arrivalCurve(opensAt, closesAt) : compressedArrivalCurve(opensAt, closesAt);
  let offset = 0;
  for (const [index, slice] of curve.entries()) {
    const count =
      index === curve.length - 1 ? voters.length - offset : Math.round(voters.length * slice.share);
    const group = voters.slice(offset, offset + count);
    offset += group.length;
    // The arrival rate drives the concurrency: the peaks get all of it.
    const peak = Math.max(...curve.map((s) => s.share));
    const concurrency = Math.max(1, Math.round((options.concurrency * slice.share) / peak));
    await clockTo(slice.at);
    const sliceStarted = performance.now();
    const failures = await pool(group, concurrency, async (voter, i) => {
      const http = client(voter.person.n);
      const token = await signIn(voter.person, http, true);
      const ballot = await http.call('GET', `${editionPath}/ballot`, { token, label: 'GET ballot' });
      const choices: Record<string, string[]> = {};
      for (const envelope of ballot.body.envelopes as { id: string; projects: { id: string }[] }[]) {
        // Everyone votes in their territory; six in ten also in the Département-wide envelope.
        if (envelope.id === wide && random() >= 0.6 && Object.keys(choices).length > 0) continue;
        const ids = envelope.projects.map((p) => p.id);
        for (const id of ids) if (!popularity.has(id)) popularity.set(id, random() ** 3);
        const size = Math.min(
          ids.length,
          minChoices + Math.floor(random() ** 2 * (maxChoices - minChoices + 1)),
        );
        const weighted = [...ids].sort(
          (a, b) => (popularity.get(b) ?? 0) * random() - (popularity.get(a) ?? 0) * random(),
        );
        choices[envelope.id] = weighted.slice(0, size);
      }
      const emailReceipt = random() < 0.2;
      const key = randomUUID();
      const cast = await http.call('POST', `${editionPath}/ballots`, {
        token,
        body: { choices, emailReceipt },
        idempotencyKey: key,
        expect: [201],
        label: 'POST ballots',
      });
      voter.ballot = choices;
      voter.receipt = cast.body.receipt;
      voter.emailReceipt = emailReceipt;
      for (const [envelope, ids] of Object.entries(choices)) accepted.get(envelope)?.push(ids);
      votersByTerritory.push(voter.person.territory);
      if (emailReceipt) expectMail(voter.person.email, 'code de reçu', cast.attempts);
      // A retry of the same request gets the same receipt; a second ballot is refused.
      if (i % 50 === 7) {
        const retry = await http.call('POST', `${editionPath}/ballots`, {
          token,
          body: { choices, emailReceipt },
          idempotencyKey: key,
          expect: [200, 201],
          label: 'POST ballots (retry)',
        });
        if (retry.body.receipt !== voter.receipt) refusals.push('a retry got another receipt');
      }
      if (i % 50 === 23) {
        try {
          await http.call('POST', `${editionPath}/ballots`, {
            token,
            body: { choices },
            expect: [409],
            label: 'POST ballots (second)',
          });
        } catch (error) {
          refusals.push(`a second ballot was not refused: ${(error as Error).message}`);
        }
      }
      http.close();
    });
    voteFailures.push(...failures);
    const seconds = (performance.now() - sliceStarted) / 1000;
    log(
      `  ${slice.label.padEnd(15)} ${slice.at.toISOString()} voters=${group.length} concurrency=${concurrency} ${(group.length / seconds).toFixed(1)} voters/s failures=${failures.length}`,
    );
    // Why, as the run goes: a long run may not reach its summary.
    for (const failure of failures.slice(0, 3)) log(`    failed: ${failure}`);
  }
  // Paper: people without email register on site, two coordinators type each sheet.
  const paperFailures = await pool(
    Array.from({ length: options.paperSheets }, (_, i) => i),
    2,
    async (i) => {
      const who = newPerson();
      const registered = await staffClient.call('POST', `${editionPath}/staff/identity/in-person`, {
        token: await staff('coordinator'),
        body: {
          profile: {
            firstName: who.firstName,
            lastName: who.lastName,
            birthDate: who.birthDate,
            commune: who.commune,
          },
        },
        expect: [201, 200],
        label: 'POST staff/identity/in-person',
      });
      const votingCode = registered.body.votingCode?.code as string;
      const territoryEnvelope = who.territory;
      const ballotProjects = [...retained.values()]
        .filter((idea) => idea.territory === territoryEnvelope)
        .map((idea) => projectOf.get(idea.id) as string)
        .slice(0, minChoices);
      const sheet = `R${run}-${i}`.toUpperCase().slice(0, 40);
      const body = { sheet, votingCode, choices: { [territoryEnvelope]: ballotProjects } };
      const first = await staffClient.call('POST', `${editionPath}/staff/paper-ballots`, {
        token: await staff('coordinator'),
        body,
        expect: [200],
        label: 'POST staff/paper-ballots (first entry)',
      });
      if (first.body.status !== 'pending')
        throw new Error(`sheet ${sheet}: ${first.body.status} after one entry`);
      await staffClient.call('POST', `${editionPath}/staff/paper-ballots`, {
        token: await staff('second-coordinator'),
        body,
        expect: [201],
        label: 'POST staff/paper-ballots (second entry)',
      });
      accepted.get(territoryEnvelope)?.push(ballotProjects);
      votersByTerritory.push(who.territory);
    },
  );
  const ballotsCast = voters.filter((v) => v.receipt).length + options.paperSheets - paperFailures.length;
  invariants.push(along('vote', [...voteFailures, ...paperFailures], `${ballotsCast} ballots accepted`));
  invariants.push(along('no-second-ballot', refusals, 'retries kept their receipt, second ballots refused'));
  // Public turnout, once its one-minute cache has passed (deployed, in real time, even if it is past the close).
  const cachePassed = (await platform.now()).getTime() + 2 * MINUTE;
  await clockTo(
    new Date(
      platform.kind === 'local' ? Math.min(closesAt.getTime() - 5 * MINUTE, cachePassed) : cachePassed,
    ),
  );
  const turnout = (await staffClient.call('GET', `${editionPath}/turnout`)).body;
  // The counters count voters by their territory (online and paper), and in all.
  const counters = new Map<string, number>([['total', Number(turnout.total)]]);
  for (const entry of turnout.territories as { id: string; total: number }[])
    counters.set(entry.id, entry.total);
  const acceptedCounts = new Map<string, number>([['total', ballotsCast]]);
  for (const territory of edition.territories as { id: string }[]) acceptedCounts.set(territory.id, 0);
  for (const territory of votersByTerritory)
    acceptedCounts.set(territory, (acceptedCounts.get(territory) ?? 0) + 1);
  invariants.push(turnoutMatches(counters, acceptedCounts));

  // ---- 4. The close, the count, the publication ---------------------------------------------------------------
  phaseLog('count and publication');
  await clockTo(new Date(closesAt.getTime() + 2 * MINUTE));
  await waitPhase('counting');
  let results: Answer | undefined;
  for (let i = 0; i < 600 && results?.status !== 200; i++) {
    results = await staffClient.call('GET', `${editionPath}/staff/results`, {
      token: await staff('admin'),
      expect: [200, 404, 409, 425, 503],
    });
    if (results.status !== 200) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (results?.status !== 200) throw new Error('No results after the close');
  await clockTo(new Date(at(edition.calendar.resultsAt).getTime() + MINUTE));
  await waitPhase('results');
  await staffClient.call('POST', `${editionPath}/staff/results/publish`, {
    token: await staff('admin'),
    body: { reason: 'Résultats vérifiés par le Comité citoyen (répétition générale)' },
    label: 'POST staff/results/publish',
  });
  const publicResults = (await staffClient.call('GET', `${editionPath}/results`)).body;

  // ---- 5. Checks of the published results ---------------------------------------------------------------------
  phaseLog('checks');
  const dir = await mkdtemp(join(tmpdir(), 'bp-rehearse-'));
  const files = new Map<string, string[][]>();
  const recounts: { id: string; published: string[]; recounted: string[] }[] = [];
  try {
    for (const envelope of envelopes) {
      const file = `ballots-${envelope}.pb`;
      const text = (await staffClient.call('GET', `${editionPath}/open-data/${file}`)).text;
      files.set(envelope, ballotsOfPabulib(text));
      const path = join(dir, file);
      await writeFile(path, text);
      // The recount anyone runs: `bp count <file> --rule <rule> --json`, the edition's rule and tie-break.
      const out: string[] = [];
      const code = await runRecount([path, '--rule', edition.counting.rule, '--json'], {
        out: (line) => out.push(line),
        err: (line) => out.push(line),
      });
      const recounted = code === 0 ? (JSON.parse(out[0] ?? '{}').selected as string[]) : [];
      const envelopeResults = (
        publicResults.envelopes as { id: string; selected?: string[]; winners?: { id: string }[] }[]
      ).find((e) => e.id === envelope);
      recounts.push({
        id: envelope,
        published: envelopeResults?.selected ?? envelopeResults?.winners?.map((w) => w.id) ?? [],
        recounted,
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  invariants.push(ballotsMatchFiles(accepted, files));
  invariants.push(recountMatches(recounts));
  // A sample of voters check their receipt on « Vérifier mon reçu ».
  const sampled = voters
    .filter((v) => v.receipt)
    .filter((_, i, all) => i < Math.max(1, Math.ceil(all.length * options.receiptSample)));
  const checks: { code: string; counted: boolean }[] = [];
  await pool(sampled, Math.min(16, options.concurrency), async (voter) => {
    const http = client(voter.person.n);
    const checked = await http.call('POST', `${editionPath}/receipts/check`, {
      body: { code: voter.receipt },
      label: 'POST receipts/check',
    });
    checks.push({
      code: voter.receipt as string,
      counted: checked.body.counted === true || checked.body.status === 'counted',
    });
    http.close();
  });
  invariants.push(receiptsCheck(checks));

  // ---- 6. Follow-up -----------------------------------------------------------------------------------------------
  phaseLog('follow-up');
  const winners = recounts.flatMap((r) => r.published);
  const followers = voters.filter((v) => v.receipt).slice(0, Math.min(50, Math.ceil(voters.length / 20)));
  const followed = new Map<string, Person[]>();
  const followFailures = await pool(followers, Math.min(8, options.concurrency), async (voter, i) => {
    const project = winners[i % winners.length];
    if (!project) return;
    const http = client(voter.person.n);
    const token = await signIn(voter.person, http, false);
    await http.call('POST', `${editionPath}/projects/${project}/followers`, {
      token,
      label: 'POST projects/followers',
    });
    followed.set(project, [...(followed.get(project) ?? []), voter.person]);
    http.close();
  });
  for (const [project, who] of followed) {
    await staffClient.call('PUT', `${editionPath}/staff/projects/${project}/realisation`, {
      token: await staff('coordinator'),
      body: { status: 'travaux', milestones: [] },
      label: 'PUT staff/projects/realisation',
    });
    for (const follower of who) expectMail(follower.email, 'Travaux en cours');
  }
  invariants.push(
    along('follow-up', followFailures, `${followers.length} followers of ${followed.size} winners`),
  );

  // ---- The end: emails, dead letters, the bill ---------------------------------------------------------------------
  // Every email the driver caused, then a quiet while for any sent twice.
  await platform.idle({
    progress: async () => {
      await mailbox.refresh();
      return mailbox.mails.length;
    },
    done: () =>
      [...expectedMails].every(([to, fragments]) =>
        [...fragments].every(
          ([fragment, { min }]) =>
            mailbox.mailsTo(to).filter((mail) => mail.subject.includes(fragment)).length >= min,
        ),
      ),
  });
  await mailbox.refresh();
  mailbox.stop();
  invariants.push(emailsOnce(mailbox.mails, expectedMails));
  invariants.push(deadLettersEmpty(await platform.deadLetters()));
  metrics.end();
  const usage = await platform.usage({ emails: mailbox.mails.length });
  platform.close?.();
  for (const c of clients) c.close();
  const bill = editionBill({
    voters: options.voters,
    ideas: ideas.length,
    httpRequests: metrics.totalRequests,
    events: usage.events,
    asyncInvocations: usage.asyncInvocations,
    estimated: usage.estimated,
    emails: mailbox.mails.length,
    phases: metrics.figures(),
  });
  const seconds = (performance.now() - started) / 1000;
  if (signInRestarts)
    log(
      `rehearse: ${signInRestarts} sign-ins asked for a new code after a spent one (see docs/rehearsal.md)`,
    );
  const summary = `rehearse: voters=${options.voters} ideas=${ideas.length} projects=${retained.size} ballots=${ballotsCast} paper=${options.paperSheets} requests=${metrics.totalRequests} emails=${mailbox.mails.length} ${invariantsField(invariants)} usd=${bill.total.toFixed(2)} wall_s=${seconds.toFixed(1)}`;
  return {
    voters: options.voters,
    ballots: ballotsCast,
    invariants,
    phases: metrics.figures(),
    seconds,
    bill,
    summary,
  };
}

export { CallError, type Mail };

/** Per-phase figures, the invariants, the bill, then the summary line (last). */
export function printReport(report: RehearseReport, out: (line: string) => void): void {
  out('');
  out('phase                    requests   req/s     p50 ms    p99 ms  retries  errors');
  for (const p of report.phases) {
    out(
      `${p.phase.padEnd(22)} ${String(p.requests).padStart(10)} ${p.perSecond.toFixed(1).padStart(7)} ${p.p50.toFixed(1).padStart(10)} ${p.p99.toFixed(1).padStart(9)} ${String(p.retries).padStart(8)} ${String(p.errors).padStart(7)}`,
    );
    for (const sample of p.errorSamples) out(`    ${sample}`);
  }
  out('');
  out('invariants:');
  for (const i of report.invariants) out(`  ${i.ok ? 'ok    ' : 'FAILED'} ${i.name.padEnd(18)} ${i.detail}`);
  out('');
  out(
    `bill of this edition on AWS (eu-west-3, USD, bench/aws-prices.eu-west-3.json; fixed monthly items: npm run bench:cost):`,
  );
  for (const [name, quantity, usd] of report.bill.lines)
    out(`  ${name.padEnd(46)} ${quantity.padStart(24)}  ${usd.toFixed(2).padStart(9)}`);
  out(`  ${'total'.padEnd(46)} ${''.padStart(24)}  ${report.bill.total.toFixed(2).padStart(9)}`);
  out(report.summary);
}
