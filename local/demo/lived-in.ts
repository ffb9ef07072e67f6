import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import { COMMUNES } from '../../shared/identity/communes.generated.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import { type DemoClient, DemoError, type DemoTarget, demoClient, inParallel } from './client.ts';
import {
  CHANGE_REQUESTS,
  COMMITTEE_TEXTS,
  type ComposedIdea,
  composeDuplicate,
  composeIdea,
  inhabitant,
  OFF_CHARTER,
  VERDICT_TEXTS,
} from './content.ts';
import { seededRandom } from './random.ts';

/**
 * The lived-in demo: an edition brought to one of its phases as its actors would have brought it there,
 * through the platform's own HTTP API only (sign-ups with codes read from the mailbox, ideas, moderation,
 * assignments, services' opinions, verdicts, the Comité citoyen's validation, ballots online and on paper
 * entered twice, the real close and count, publication, follow-up), with phases moved by the local clock and
 * the edition's schedules. Deterministic for a seed: the texts, people, choices and times are; the ids the
 * platform mints (ideas, citizens, receipts) are not.
 */

/** Where the generator stops: the edition's phases as `shared/edition/phases.ts` names them, then follow-up. */
export const DEMO_STAGES = [
  'ideas',
  'instruction',
  'ballot-preparation',
  'vote',
  'counting',
  'results',
  'follow-up',
] as const;
export type DemoStage = (typeof DEMO_STAGES)[number];

export interface DemoScale {
  /** Ideas proposed (about 5 % off-charter, 5 % duplicates). */
  ideas: number;
  /** Ballots cast, online and on paper together. */
  ballots: number;
  /** Share of the ballots cast on paper sheets (in-person registration, two entries). */
  paperShare: number;
}

export const FULL_SCALE: DemoScale = { ideas: 300, ballots: 3000, paperShare: 0.06 };

export interface DemoOptions {
  at: DemoStage;
  seed?: number;
  scale?: DemoScale;
  /** Sign-ups and ballots in flight at once. @default 6 */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface DemoIdea {
  id: string;
  title: string;
  theme: string;
  territory: string;
  envelope: string;
  status: 'submitted' | 'published' | 'hidden' | 'changes-requested' | 'merged';
  cost?: number;
  verdict?: 'retained' | 'not-feasible' | 'not-admissible' | 'merged';
  projectId?: string;
}

export interface DemoSummary {
  stage: DemoStage;
  seed: number;
  ideas: DemoIdea[];
  /** Per envelope: its amount and the cost of the projects retained in it. */
  envelopes: { id: string; name: string; amount: number; demand: number; projects: number }[];
  ballots: { online: number; paper: number };
  /** Staff accounts the generator added (instructors of every service, a second paper-entry agent). */
  addedStaff: { username: string; password: string; role: string }[];
  clock: string;
  seconds: number;
}

/** Theme → the service that instructs it (falls back to a service whose id shares a word, then the first). */
const THEME_SERVICES: Record<string, string> = {
  'agriculture-alimentation': 'agriculture-mer-littoral',
  'citoyennete-vie-associative': 'sport-jeunesse-vie-associative',
  'culture-patrimoine': 'culture-patrimoine',
  'environnement-biodiversite': 'environnement-espaces-naturels',
  'jeunesse-education': 'education-colleges',
  mobilites: 'infrastructures-mobilites',
  solidarites: 'solidarites-insertion',
  sport: 'sport-jeunesse-vie-associative',
};

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Code requests per client address and clock hour stay under the identity function's default limit (30). */
const SIGN_UPS_PER_HOUR = 25;

export async function buildLivedInDemo(
  target: DemoTarget,
  config: EditionConfig,
  options: DemoOptions,
): Promise<DemoSummary> {
  const started = performance.now();
  const seed = options.seed ?? 2023;
  const scale = options.scale ?? FULL_SCALE;
  const log = options.log ?? (() => undefined);
  const random = seededRandom(seed);
  const api = demoClient(target);
  const concurrency = options.concurrency ?? 6;
  const stageIndex = DEMO_STAGES.indexOf(options.at);
  const reached = (stage: DemoStage) => stageIndex >= DEMO_STAGES.indexOf(stage);
  const at = (key: keyof EditionConfig['calendar']) => toInstant(config.calendar[key], config.timeZone);
  const domain = config.mailFrom.split('@')[1] ?? 'demo.example';
  const people = { next: 0 };
  const ideas: DemoIdea[] = [];
  const addedStaff: DemoSummary['addedStaff'] = [];

  const envelopes = [
    ...config.territories.map((t) => ({ id: t.id, name: t.name, amount: t.envelope, territory: t.id })),
    ...(config.budget.departementWide
      ? [
          {
            id: config.budget.departementWide.id,
            name: config.budget.departementWide.name,
            amount: config.budget.departementWide.envelope,
            territory: undefined,
          },
        ]
      : []),
  ];
  const total = envelopes.reduce((sum, e) => sum + e.amount, 0);

  if ((await api.call('GET', '')).body?.phase?.current !== 'setup')
    throw new DemoError('The lived-in demo starts from a fresh edition (npm run reset)');

  // ─── Call for ideas ────────────────────────────────────────────────────────────────────────────────────────
  await api.clockTo(new Date(at('ideasOpen').getTime() + 60_000));
  log('appel à idées ouvert');
  const moderator = () => api.roleToken('moderator');

  /** Signs `count` new inhabitants of `territory` up (code by email, first session with a profile). */
  async function signUp(
    territories: string[],
  ): Promise<{ token: string; email: string; territory: string }[]> {
    const since = (await api.now()).getTime();
    const batch = territories.map((territory) => {
      const index = people.next++;
      const communes = config.territories.find((t) => t.id === territory)?.communes ?? [];
      return {
        territory,
        email: `habitant.${String(index).padStart(4, '0')}@habitants.${domain}`,
        profile: { ...inhabitant(random, index), commune: random.pick(communes) },
      };
    });
    await inParallel(batch, concurrency, (person) =>
      api.expect(202, 'POST', '/identity/code', { body: { email: person.email } }),
    );
    const codes = await api.codesFor(
      batch.map((p) => p.email),
      since,
    );
    return inParallel(batch, concurrency, async (person) => {
      const code = codes.get(person.email);
      if (!code) throw new DemoError(`No code reached ${person.email}`);
      const session = await api.expect([200, 201], 'POST', '/identity/session', {
        body: { email: person.email, code, profile: person.profile },
      });
      return { token: session.body.token as string, email: person.email, territory: person.territory };
    });
  }

  // How many ideas each envelope gets: in proportion to its amount, so that every envelope can reach a demand
  // of two to four times its amount.
  const ideaEnvelopes: string[] = [];
  for (const envelope of envelopes) {
    const share = Math.max(3, Math.round((scale.ideas * envelope.amount) / total));
    for (let i = 0; i < share; i++) ideaEnvelopes.push(envelope.id);
  }
  const plan = random.shuffle(ideaEnvelopes).slice(0, scale.ideas);
  const offCharterAt = new Set(
    Array.from({ length: Math.min(OFF_CHARTER.length, Math.ceil(plan.length / 60)) }, (_, i) =>
      Math.floor(((i + 0.5) * plan.length) / Math.ceil(plan.length / 60)),
    ),
  );
  const ideasDays = (at('ideasClose').getTime() - at('ideasOpen').getTime()) / DAY;
  // `ideas`: the call is two-thirds through, with the last proposals still in the moderation queue.
  const ideasToSubmit = options.at === 'ideas' ? Math.round(plan.length * 0.7) : plan.length;
  const ideasPerBatch = SIGN_UPS_PER_HOUR - 5;
  const batches = Math.ceil(ideasToSubmit / ideasPerBatch);
  const queue: DemoIdea[] = [];
  const changeRequested: { idea: DemoIdea; token: string; description: string }[] = [];
  let submitted = 0;
  let duplicates = 0;

  for (let b = 0; b < batches && submitted < ideasToSubmit; b++) {
    await api.clockTo(
      new Date(
        at('ideasOpen').getTime() +
          Math.max(HOUR, ((b + 0.5) * (ideasDays - 3) * DAY) / batches) +
          random.int(0, 8) * HOUR,
      ),
    );
    // The authors whose idea came back for a change edit it (a new session each: the code, then the edit).
    await reviseChangeRequested();
    const want = Math.min(ideasToSubmit - submitted, ideasPerBatch);
    const envelopesOfBatch = plan.slice(submitted, submitted + want);
    // One author per idea, living in its territory (anyone may propose for the whole Département); now and
    // then an author of this batch proposes a second idea.
    const authorOf: number[] = [];
    const authorTerritories: string[] = [];
    for (const envelope of envelopesOfBatch) {
      const territory = envelopes.find((e) => e.id === envelope)?.territory;
      const again = authorTerritories.findIndex((t) => territory === undefined || t === territory);
      if (again >= 0 && random.chance(0.25)) authorOf.push(again);
      else {
        authorOf.push(authorTerritories.length);
        authorTerritories.push(territory ?? (random.pick(config.territories).id as string));
      }
    }
    const authors = await signUp(authorTerritories);
    // Everything random is drawn in order before the requests go out together: the same seed, the same demo.
    const drafts = envelopesOfBatch.map((envelope, i) => {
      const index = submitted + i;
      const author = authors[authorOf[i] as number] as (typeof authors)[number];
      const territory = envelopes.find((e) => e.id === envelope)?.territory;
      const communeCode = territory
        ? random.pick(config.territories.find((t) => t.id === territory)?.communes ?? [])
        : undefined;
      const communeName = communeCode ? COMMUNES[communeCode]?.[0] : undefined;
      const theme = config.themes[index % config.themes.length]?.id ?? 'sport';
      const offCharter = offCharterAt.has(index) ? OFF_CHARTER[[...offCharterAt].indexOf(index)] : undefined;
      const published = ideas.filter((idea) => idea.status === 'published' && idea.envelope === envelope);
      const duplicateOf =
        !offCharter && published.length > 3 && random.chance(0.06) ? random.pick(published) : undefined;
      let composed: ComposedIdea = composeIdea(random, theme, communeName);
      if (duplicateOf) composed = { ...composed, ...composeDuplicate(random, duplicateOf) };
      const body = {
        title: offCharter?.title ?? composed.title,
        description: offCharter?.description ?? composed.description,
        theme: duplicateOf?.theme ?? theme,
        territory: envelope,
        ...(communeCode ? { commune: communeCode } : {}),
        estimatedCost: composed.estimatedCost,
        proposer: offCharter ? { kind: 'individual' } : composed.proposer,
        ...(composed.place && !offCharter ? { place: composed.place } : {}),
      };
      const key = `demo-${seed}-idea-${index}-${random.hex(12)}`;
      return {
        author,
        body,
        key,
        pending: { offCharter, duplicateOf, author, description: body.description },
      };
    });
    const created = await inParallel(drafts, concurrency, (draft) =>
      api.expect([200, 201], 'POST', '/ideas', {
        token: draft.author.token,
        body: draft.body,
        headers: { 'idempotency-key': draft.key },
      }),
    );
    for (const [i, draft] of drafts.entries()) {
      const idea: DemoIdea & { pending: Pending } = {
        id: (created[i] as { body: { id: string } }).body.id,
        title: draft.body.title,
        theme: draft.body.theme,
        territory: draft.body.territory,
        envelope: draft.body.territory,
        status: 'submitted',
        pending: draft.pending,
      };
      ideas.push(idea);
      queue.push(idea);
      if (draft.pending.duplicateOf) duplicates++;
    }
    submitted += envelopesOfBatch.length;
    // The moderator works through the queue, except the newest batch while the call is still open.
    const last = submitted >= ideasToSubmit;
    if (!(last && options.at === 'ideas')) await moderate();
  }
  log(`${submitted} idées proposées (${duplicates} doublons)`);

  async function moderate() {
    const token = await moderator();
    const todo = queue.splice(0, queue.length);
    // Decided in order (the seed decides), sent together: publications first, so that duplicates can then be
    // merged into published ideas.
    const decisions = todo.map((idea): { idea: DemoIdea; status: DemoIdea['status']; body: object } => {
      const pending = (idea as DemoIdea & { pending?: Pending }).pending;
      if (pending?.offCharter)
        return {
          idea,
          status: 'hidden',
          body: { action: 'hide', rule: pending.offCharter.rule, reason: pending.offCharter.reason },
        };
      if (pending?.duplicateOf)
        return {
          idea,
          status: 'merged',
          body: {
            action: 'merge',
            into: pending.duplicateOf.id,
            reason: `Même proposition que « ${pending.duplicateOf.title} », déjà publiée : les deux sont regroupées.`,
          },
        };
      if (pending?.revised !== true && random.chance(0.05)) {
        const request = random.pick(CHANGE_REQUESTS);
        // Two authors out of three come back to edit it.
        if (pending && random.chance(0.66))
          changeRequested.push({
            idea,
            token: pending.author.token,
            description: `${pending.description} ${request.addition}`,
          });
        return {
          idea,
          status: 'changes-requested',
          body: { action: 'request-change', reason: request.reason },
        };
      }
      return { idea, status: 'published', body: { action: 'publish' } };
    });
    for (const round of [
      decisions.filter((d) => d.status !== 'merged'),
      decisions.filter((d) => d.status === 'merged'),
    ])
      await inParallel(round, concurrency, async ({ idea, status, body }) => {
        await api.expect(200, 'POST', `/staff/ideas/${idea.id}/moderation`, { token, body });
        idea.status = status;
      });
  }

  async function reviseChangeRequested() {
    const todo = changeRequested.splice(0, changeRequested.length);
    if (todo.length === 0) return;
    // A new session for each author (their earlier one has expired since).
    const sessions = await reSignIn(
      todo.map((entry) => (entry.idea as DemoIdea & { pending: Pending }).pending.author.email),
    );
    for (const [i, entry] of todo.entries()) {
      await api.expect(200, 'PATCH', `/ideas/${entry.idea.id}`, {
        token: sessions[i] as string,
        body: { description: entry.description },
      });
      entry.idea.status = 'submitted';
      (entry.idea as DemoIdea & { pending: Pending }).pending.revised = true;
      queue.push(entry.idea);
    }
  }

  async function reSignIn(emails: string[]): Promise<string[]> {
    const since = (await api.now()).getTime();
    for (const email of emails) await api.expect(202, 'POST', '/identity/code', { body: { email } });
    const codes = await api.codesFor(emails, since);
    return inParallel(emails, concurrency, async (email) => {
      const session = await api.expect([200, 201], 'POST', '/identity/session', {
        body: { email, code: codes.get(email) },
      });
      return session.body.token as string;
    });
  }

  if (!reached('instruction')) return summary();

  // ─── Instruction ───────────────────────────────────────────────────────────────────────────────────────────
  // The last revised ideas are moderated before the close; the call closes by its schedule.
  await reviseChangeRequested();
  await moderate();
  await api.clockTo(new Date(at('ideasClose').getTime() + 60_000));
  await api.clockTo(new Date(at('ideasClose').getTime() + 7 * HOUR + 2 * DAY));
  log('instruction ouverte');
  const instructors = config.services.map((service) => ({
    service: service.id,
    username: service.contacts[0]?.email ?? `instructeur.${service.id}@${domain}`,
    password: 'Demo-instructor-2026!',
  }));
  await api.addStaff(
    instructors.map((i) => ({
      username: i.username,
      password: i.password,
      groups: ['instructor'],
      service: i.service,
    })),
  );
  for (const i of instructors)
    addedStaff.push({ username: i.username, password: i.password, role: `instructor (${i.service})` });
  const serviceOf = (theme: string) => {
    const wanted = THEME_SERVICES[theme];
    const found =
      config.services.find((s) => s.id === wanted) ??
      config.services.find((s) => theme.split('-').some((word) => word.length > 3 && s.id.includes(word)));
    return (found ?? config.services[0])?.id as string;
  };
  const published = ideas.filter((idea) => idea.status === 'published');
  const dueDate = new Date(at('ideasClose').getTime() + 40 * DAY).toISOString().slice(0, 10);
  const coordinator = () => api.roleToken('coordinator');
  for (const service of config.services) {
    const ids = published.filter((idea) => serviceOf(idea.theme) === service.id).map((idea) => idea.id);
    // A page of the coordinator's dashboard at a time.
    for (let i = 0; i < ids.length; i += 25)
      await api.expect([200, 201], 'POST', '/staff/instruction/assignments', {
        token: await coordinator(),
        body: { ideaIds: ids.slice(i, i + 25), services: [{ serviceId: service.id, dueDate }] },
      });
  }
  log(`${published.length} idées affectées à ${config.services.length} services`);

  // What each envelope retains: projects until the demand reaches 2.2 to 3.4 times its amount, always at least
  // three (an envelope must be votable) and never all (about one idea in five is turned down, with its reason).
  // The services' estimates are drawn around the cost that reaches the demand, within the edition's bounds.
  const retain = new Set<string>();
  const costs = new Map<string, number>();
  for (const envelope of envelopes) {
    const candidates = random.shuffle(published.filter((i) => i.envelope === envelope.id));
    const retainable = Math.max(Math.min(3, candidates.length), Math.floor(candidates.length * 0.8));
    const target = envelope.amount * (2.2 + random.next() * 1.2);
    const average = Math.min(config.ideaCost.max, Math.max(18_000, target / Math.max(1, retainable)));
    let demand = 0;
    let kept = 0;
    for (const idea of candidates) {
      const drawn = average * (0.7 + random.next() * 0.6);
      const cost =
        Math.round(Math.min(config.ideaCost.max, Math.max(config.ideaCost.min, drawn)) / 500) * 500;
      costs.set(idea.id, cost);
      if (kept < retainable && (demand < target || kept < 3)) {
        retain.add(idea.id);
        demand += cost;
        kept++;
      }
    }
  }
  // The services give their opinions, a few weeks later (at `instruction`, a third is still being studied).
  await api.clockTo(new Date(at('ideasClose').getTime() + 21 * DAY));
  const decided = options.at === 'instruction' ? published.filter(() => random.chance(0.65)) : published;
  const outcomes = new Map<string, DemoIdea['verdict']>();
  const decisions = decided.map((idea) => {
    const service = serviceOf(idea.theme);
    const instructor = instructors.find((i) => i.service === service) as (typeof instructors)[number];
    const cost = costs.get(idea.id) ?? 20_000;
    let body: Record<string, unknown>;
    if (retain.has(idea.id)) {
      outcomes.set(idea.id, 'retained');
      body = {
        kind: 'feasibility',
        outcome: 'feasible',
        reasonCode: 'cost-estimate',
        reasonText: `Faisable ; chiffrage du service : ${cost.toLocaleString('fr-FR')} € toutes dépenses comprises.`,
        costEstimate: cost,
      };
    } else if (random.chance(0.3)) {
      outcomes.set(idea.id, 'not-admissible');
      body = {
        kind: 'admissibility',
        outcome: 'not-admissible',
        reasonCode: 'competence',
        reasonText: random.pick(VERDICT_TEXTS['not-admissible']),
      };
    } else {
      outcomes.set(idea.id, 'not-feasible');
      body = {
        kind: 'feasibility',
        outcome: 'not-feasible',
        reasonCode: 'technical',
        reasonText: random.pick(VERDICT_TEXTS['not-feasible']),
      };
    }
    return { username: instructor.username, assignment: `${idea.id}.${service}`, body };
  });
  for (const username of new Set(decisions.map((d) => d.username))) await api.staffToken(username);
  await inParallel(decisions, concurrency, async (decision) =>
    api.expect([200, 201], 'POST', `/staff/instruction/assignments/${decision.assignment}/decisions`, {
      token: await api.staffToken(decision.username),
      body: decision.body,
    }),
  );
  log(`${decided.length} avis des services`);

  // The coordination pronounces the verdicts (at `instruction`, on part of the opinions only).
  await api.clockTo(new Date(at('ideasClose').getTime() + 45 * DAY));
  const judged = options.at === 'instruction' ? decided.filter(() => random.chance(0.6)) : decided;
  const verdicts = judged.map((idea) => {
    const outcome = outcomes.get(idea.id) as NonNullable<DemoIdea['verdict']>;
    const pending = (idea as DemoIdea & { pending: Pending }).pending;
    const body =
      outcome === 'retained'
        ? {
            outcome,
            reasonCode: 'criteria-met',
            reasonText: random.pick(VERDICT_TEXTS.retained),
            project: {
              title: idea.title.slice(0, 140),
              summary: summaryOf(pending.description),
              cost: costs.get(idea.id),
              envelope: idea.envelope,
              theme: idea.theme,
            },
          }
        : {
            outcome,
            reasonCode: outcome === 'not-admissible' ? 'competence' : 'technical',
            reasonText: random.pick(VERDICT_TEXTS[outcome as 'not-feasible' | 'not-admissible']),
          };
    return { idea, outcome, body };
  });
  const coordinatorToken = await coordinator();
  await inParallel(verdicts, concurrency, async ({ idea, outcome, body }) => {
    const reply = await api.expect([200, 201], 'POST', `/staff/instruction/dossiers/${idea.id}/verdict`, {
      token: coordinatorToken,
      body,
    });
    idea.verdict = outcome;
    if (outcome === 'retained') {
      idea.cost = costs.get(idea.id);
      idea.projectId = reply.body.project?.id ?? reply.body.verdict?.projectId;
    }
  });
  log(`${judged.length} verdicts de la coordination`);
  // The Comité citoyen reads a few dossiers and gives its opinion.
  const committee = await api.roleToken('committee');
  for (const idea of random.shuffle(judged.filter((i) => i.verdict === 'retained')).slice(0, 12)) {
    const opinion = random.pick(['favorable', 'favorable', 'favorable', 'reserve', 'defavorable'] as const);
    await api.expect([200, 201], 'POST', `/staff/instruction/dossiers/${idea.id}/committee-opinion`, {
      token: committee,
      body: { opinion, text: random.pick(COMMITTEE_TEXTS[opinion]) },
    });
  }
  if (!reached('ballot-preparation')) return summary();

  // ─── Ballot preparation: the Comité citoyen validates the list ─────────────────────────────────────────────
  await api.clockTo(new Date(at('instructionEnd').getTime() + 60_000));
  await api.clockTo(new Date(at('instructionEnd').getTime() + 4 * DAY));
  const committeeNow = await api.roleToken('committee');
  const list = await api.expect(200, 'GET', '/staff/instruction/ballot-list', { token: committeeNow });
  await api.expect([200, 201], 'POST', '/staff/instruction/ballot-list/validation', {
    token: committeeNow,
    body: { listSha256: list.body.listSha256 },
  });
  log(`liste validée : ${list.body.projects.length} projets`);
  if (!reached('vote')) return summary();

  // ─── Vote: online ballots and paper sheets, spread over the weeks of the vote ──────────────────────────────
  await api.clockTo(new Date(at('voteOpen').getTime() + 60_000));
  log('vote ouvert');
  const agent = { username: `saisie.bulletins@${domain}`, password: 'Demo-agent-2026!' };
  await api.addStaff([{ ...agent, groups: ['coordinator'] }]);
  addedStaff.push({ ...agent, role: 'coordinator (second agent for paper sheets)' });
  const coordinatorUser = target.staff.find((u) => u.role === 'coordinator')?.username as string;

  // Popularity of each project: a few favourites, a long tail.
  const projects = ideas.filter((i) => i.verdict === 'retained' && i.projectId);
  const popularity = new Map(projects.map((p) => [p.projectId as string, 0.15 + random.next() ** 2.5 * 3]));
  // Voters per territory: roughly its population, which its envelope follows above a common floor.
  const population = config.territories.map((t) => Math.max(20_000, t.envelope - 100_000));
  const ballotsToCast = options.at === 'vote' ? Math.round(scale.ballots * 0.65) : scale.ballots;
  const paperEvery = scale.paperShare > 0 ? Math.round(1 / scale.paperShare) : Number.POSITIVE_INFINITY;
  const voteDays = (at('voteClose').getTime() - at('voteOpen').getTime()) / DAY;
  const voteBatches = Math.ceil(ballotsToCast / SIGN_UPS_PER_HOUR);
  const stepMs = Math.max(
    HOUR,
    Math.floor(((voteDays - 1) * DAY) / Math.ceil(scale.ballots / SIGN_UPS_PER_HOUR)),
  );
  const ballotCache = new Map<string, { id: string; projects: string[] }[]>();
  let online = 0;
  let paper = 0;
  let sheet = 0;

  const choicesFor = (envelopesOfVoter: { id: string; projects: string[] }[]) => {
    const choices: Record<string, string[]> = {};
    for (const [i, envelope] of envelopesOfVoter.entries()) {
      if (i > 0 && random.chance(0.3)) continue; // abstains in the Département-wide envelope
      const count = Math.min(envelope.projects.length, random.int(3, i === 0 ? 6 : 4));
      choices[envelope.id] = random
        .weightedSample(
          envelope.projects,
          envelope.projects.map((id) => popularity.get(id) ?? 0.5),
          count,
        )
        .sort();
    }
    return choices;
  };

  for (let b = 0; b < voteBatches && online + paper < ballotsToCast; b++) {
    if (b > 0)
      await api.clockTo(
        new Date(at('voteOpen').getTime() + 60_000 + b * stepMs + random.int(0, 50) * 60_000),
      );
    const size = Math.min(SIGN_UPS_PER_HOUR, ballotsToCast - online - paper);
    const territories = Array.from(
      { length: size },
      () => random.weightedSample(config.territories, population, 1)[0]?.id as string,
    );
    const paperCount = territories.filter((_, i) => (online + paper + i + 1) % paperEvery === 0).length;
    const onlineTerritories = territories.slice(paperCount);
    const voters = await signUp(onlineTerritories);
    // Each territory's ballot, as its first voter reads it (the order is the voter's own; choices are by id).
    for (const voter of voters) {
      if (ballotCache.has(voter.territory)) continue;
      const reply = await api.expect(200, 'GET', '/ballot', { token: voter.token });
      ballotCache.set(
        voter.territory,
        (reply.body.envelopes as { id: string; projects: { id: string }[] }[]).map((e) => ({
          id: e.id,
          projects: e.projects.map((p) => p.id).sort(),
        })),
      );
    }
    const casts = voters.map((voter, i) => ({
      voter,
      choices: choicesFor(ballotCache.get(voter.territory) ?? []),
      key: `demo-${seed}-ballot-${b}-${i}-${random.hex(16)}`,
    }));
    await inParallel(casts, concurrency, ({ voter, choices, key }) =>
      api.expect(201, 'POST', '/ballots', {
        token: voter.token,
        body: { choices },
        headers: { 'idempotency-key': key },
      }),
    );
    online += voters.length;
    // People without email register at a Département's office and vote on a paper sheet, typed by two agents.
    for (const territory of territories.slice(0, paperCount)) {
      const index = people.next++;
      const communes = config.territories.find((t) => t.id === territory)?.communes ?? [];
      const registered = await api.expect(201, 'POST', '/staff/identity/in-person', {
        token: await api.staffToken(coordinatorUser),
        body: { profile: { ...inhabitant(random, index), commune: random.pick(communes) } },
      });
      const envelopesOfVoter = [
        ...(ballotCache.get(territory) ?? [
          {
            id: territory,
            projects: projects
              .filter((p) => p.envelope === territory)
              .map((p) => p.projectId as string)
              .sort(),
          },
        ]),
      ];
      if (!ballotCache.has(territory) && config.budget.departementWide) {
        const wide = config.budget.departementWide.id;
        envelopesOfVoter.push({
          id: wide,
          projects: projects
            .filter((p) => p.envelope === wide)
            .map((p) => p.projectId as string)
            .sort(),
        });
      }
      const body = {
        sheet: `F-${String(++sheet).padStart(4, '0')}`,
        votingCode: registered.body.votingCode.code,
        choices: choicesFor(envelopesOfVoter),
      };
      await api.expect([200, 201], 'POST', '/staff/paper-ballots', {
        token: await api.staffToken(coordinatorUser),
        body,
      });
      const second = await api.expect(201, 'POST', '/staff/paper-ballots', {
        token: await api.staffToken(agent.username),
        body,
      });
      if (second.body.status !== 'cast')
        throw new DemoError(`Paper sheet ${body.sheet} not cast: ${JSON.stringify(second.body)}`);
      paper++;
    }
    if (b % 10 === 9) log(`${online + paper} bulletins`);
  }
  log(`${online} bulletins en ligne, ${paper} feuilles papier`);
  const ballots = { online, paper };
  if (!reached('counting')) return summary(ballots);

  // ─── The close (its schedule), the count, the publication ──────────────────────────────────────────────────
  await api.clockTo(new Date(at('voteClose').getTime() + 2 * 60_000));
  const admin = () => api.roleToken('admin');
  for (let attempt = 0; ; attempt++) {
    if ((await api.call('GET', '/staff/results', { token: await admin() })).status === 200) break;
    if (attempt > 150) throw new DemoError('No results after the close');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  log('dépouillement fait');
  if (!reached('results')) return summary(ballots);
  await api.clockTo(new Date(at('resultsAt').getTime() + 60_000));
  await api.expect(200, 'POST', '/staff/results/publish', {
    token: await admin(),
    body: { reason: 'Résultats vérifiés par le Comité citoyen le jour de leur proclamation' },
  });
  await api.idle();
  log('résultats publiés');
  if (!reached('follow-up')) return summary(ballots);

  // ─── Follow-up: a few winners get their realisation and milestones ─────────────────────────────────────────
  const results = await api.expect(200, 'GET', '/staff/results', { token: await admin() });
  const winners = (results.body.envelopes as { selected: string[] }[]).flatMap((e) => e.selected);
  const day = (offsetDays: number) =>
    new Date(at('resultsAt').getTime() + offsetDays * DAY).toISOString().slice(0, 10);
  await api.clockTo(new Date(at('resultsAt').getTime() + 150 * DAY));
  const states = [
    {
      status: 'livre',
      milestones: [
        { kind: 'etudes', date: day(30), done: true },
        { kind: 'travaux', date: day(90), done: true },
        { kind: 'livre', date: day(140), done: true },
      ],
    },
    {
      status: 'travaux',
      milestones: [
        { kind: 'etudes', date: day(45), done: true },
        { kind: 'travaux', date: day(120), done: true },
        { kind: 'livre', date: day(240), done: false },
      ],
    },
    {
      status: 'travaux',
      milestones: [
        { kind: 'etudes', date: day(60), done: true },
        { kind: 'travaux', date: day(140), done: true },
        { kind: 'livre', date: day(300), done: false },
      ],
    },
    {
      status: 'etude',
      milestones: [
        { kind: 'etudes', date: day(200), done: false },
        { kind: 'travaux', date: day(330), done: false },
      ],
    },
    { status: 'etude', milestones: [{ kind: 'etudes', date: day(180), done: false }] },
  ];
  for (const [i, projectId] of random.shuffle(winners).slice(0, states.length).entries()) {
    await api.expect(200, 'PUT', `/staff/projects/${projectId}/realisation`, {
      token: await coordinator(),
      body: states[i],
    });
  }
  await api.idle();
  log('suivi des lauréats renseigné');
  return summary(ballots);

  async function summary(ballots = { online: 0, paper: 0 }): Promise<DemoSummary> {
    for (const idea of ideas) delete (idea as DemoIdea & { pending?: unknown }).pending;
    return {
      stage: options.at,
      seed,
      ideas,
      envelopes: envelopes.map((e) => {
        const retained = ideas.filter((i) => i.envelope === e.id && i.verdict === 'retained');
        return {
          id: e.id,
          name: e.name,
          amount: e.amount,
          demand: retained.reduce((sum, i) => sum + (i.cost ?? 0), 0),
          projects: retained.length,
        };
      }),
      ballots,
      addedStaff,
      clock: (await api.now()).toISOString(),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  }
}

interface Pending {
  offCharter?: (typeof OFF_CHARTER)[number];
  duplicateOf?: DemoIdea;
  author: { token: string; email: string };
  description: string;
  revised?: boolean;
}

/** A project's summary from its idea's description: whole sentences, up to 600 characters. */
function summaryOf(description: string): string {
  let out = '';
  for (const sentence of description.split(/(?<=\.)\s+/)) {
    if ((out + sentence).length > 590) break;
    out = out ? `${out} ${sentence}` : sentence;
  }
  return out || description.slice(0, 590);
}

export type { DemoClient, DemoTarget };
