import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addWorkingDays } from '../../functions/instruction/working-days.ts';
import { mintActionLink } from '../../shared/auth/action-links.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { toInstant, toLocal } from '../../shared/time/zoned.ts';
import { readProjects } from '../../shared/voting/projects.ts';
import { api, movePhase, staffToken } from '../support/api.ts';
import { completeBallotList } from '../support/ballot-list.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import {
  actionLinkKey,
  busEvents,
  fireDeadlines,
  instructorOf,
  seedPublishedIdea,
} from '../support/instruction.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const base = `${editionPath}/staff/instruction`;
const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const config = parsed.config;
const [service0, service1] = config.services as [(typeof config.services)[0], (typeof config.services)[0]];
const factory = await citizenFactory(stack);

const today = () => toLocal(new Date(), config.timeZone).slice(0, 10);

const setPhase = (admin: string, to: string) =>
  movePhase(stack, admin, to, `Essai de l’instruction : passage en ${to}`);

const reason = { reasonCode: 'criteria-met', reasonText: 'L’idée relève des compétences du Département.' };

describe('instruction: services examine ideas, coordinators decide, the Comité citoyen validates the list', () => {
  let admin: string;
  let coordinator: string;
  let instructor: string;
  let otherInstructor: string;
  let committee: string;
  let author: SeededCitizen;
  let ideaA: string;
  let ideaB: string;
  let ideaC: string;
  let ideaD: string;
  const due = () => addWorkingDays(today(), 5);

  beforeAll(async () => {
    admin = await staffToken(stack, 'admin');
    coordinator = await staffToken(stack, 'coordinator');
    instructor = await staffToken(stack, 'instructor');
    committee = await staffToken(stack, 'committee');
    otherInstructor = await instructorOf(stack, service1.id, `instructeur.${service1.id}@exemple.fr`);
    await setPhase(admin, 'instruction');
    author = await factory.create('pays-de-retz');
    const seed = (title: string, theme = 'sport', proposerName?: string) =>
      seedPublishedIdea(stack, factory.documents, {
        authorIds: [author.citizenId],
        territory: 'pays-de-retz',
        theme,
        title,
        ...(proposerName ? { proposerName } : {}),
      });
    ideaA = await seed(
      'Un parcours sportif au bord de l’eau',
      'environnement-biodiversite',
      'Association des Amis du Lac',
    );
    ideaB = await seed('Un skatepark couvert', 'jeunesse-education');
    ideaC = await seed('Des agrès de musculation en plein air', 'sport');
    ideaD = await seed('Un terrain de pétanque éclairé', 'solidarites');
  });

  afterAll(async () => {
    factory.close();
  });

  it('assigns an idea to two services with their due dates, once per idea and service', async () => {
    // Act: refusals first
    const past = await api(stack, 'POST', `${base}/assignments`, {
      token: coordinator,
      body: { ideaIds: [ideaA], services: [{ serviceId: service0.id, dueDate: today() }] },
    });
    const unknown = await api(stack, 'POST', `${base}/assignments`, {
      token: coordinator,
      body: { ideaIds: [ideaA], services: [{ serviceId: 'service-inconnu', dueDate: due() }] },
    });
    const byInstructor = await api(stack, 'POST', `${base}/assignments`, {
      token: instructor,
      body: { ideaIds: [ideaA], services: [{ serviceId: service0.id, dueDate: due() }] },
    });
    const body = {
      ideaIds: [ideaA],
      services: [
        { serviceId: service0.id, dueDate: due() },
        { serviceId: service1.id, dueDate: due() },
      ],
    };
    const first = await api(stack, 'POST', `${base}/assignments`, { token: coordinator, body });
    const again = await api(stack, 'POST', `${base}/assignments`, { token: coordinator, body });
    // Assess
    expect(past.status).toBe(400);
    expect(past.body.errors[0].field).toBe('body.services.0.dueDate');
    expect(unknown.status).toBe(400);
    expect(byInstructor.status).toBe(403);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.created).toBe(2);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: 0, unchanged: 2 });
    const assigned = (await busEvents(stack, 'IdeaAssigned')).filter((e) => e.detail.ideaId === ideaA);
    expect(assigned.map((e) => e.detail.serviceId).sort()).toEqual([service0.id, service1.id].sort());
    expect(assigned[0]?.detail.dueDate).toBe(due());
  });

  it('assigns in bulk every published idea of a theme and territory', async () => {
    const response = await api(stack, 'POST', `${base}/assignments`, {
      token: coordinator,
      body: {
        theme: 'sport',
        territory: 'pays-de-retz',
        services: [{ serviceId: service0.id, dueDate: due() }],
      },
    });
    expect(response.status).toBe(201);
    const ideas = response.body.assignments.map((a: { ideaId: string }) => a.ideaId);
    expect(ideas).toContain(ideaC);
    expect(ideas).not.toContain(ideaA);
  });

  it('lets only the assigned service accept its assignment and give its opinion', async () => {
    const theirs = `${ideaA}.${service1.id}`;
    const mine = `${ideaA}.${service0.id}`;
    const refused = await api(stack, 'POST', `${base}/assignments/${theirs}/acceptance`, {
      token: instructor,
    });
    const accepted = await api(stack, 'POST', `${base}/assignments/${mine}/acceptance`, {
      token: instructor,
    });
    const badReason = await api(stack, 'POST', `${base}/assignments/${mine}/decisions`, {
      token: instructor,
      body: {
        kind: 'admissibility',
        outcome: 'admissible',
        reasonCode: 'inconnu',
        reasonText: 'Un motif inconnu.',
      },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('other_service');
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('accepted');
    expect(badReason.status).toBe(400);
    expect(badReason.body.errors[0].field).toBe('body.reasonCode');
  });

  it('records both services’ opinions, then the coordinator’s verdict makes the idea a project of the ballot list', async () => {
    // Act: the two services give their opinions
    const mine = `${ideaA}.${service0.id}`;
    const theirs = `${ideaA}.${service1.id}`;
    const admissible = await api(stack, 'POST', `${base}/assignments/${mine}/decisions`, {
      token: instructor,
      body: { kind: 'admissibility', outcome: 'admissible', ...reason },
    });
    const feasible = await api(stack, 'POST', `${base}/assignments/${mine}/decisions`, {
      token: instructor,
      body: {
        kind: 'feasibility',
        outcome: 'feasible',
        costEstimate: 18_000,
        reasonCode: 'technical',
        reasonText: 'Faisable sur le terrain départemental.',
      },
    });
    const other = await api(stack, 'POST', `${base}/assignments/${theirs}/decisions`, {
      token: otherInstructor,
      body: {
        kind: 'feasibility',
        outcome: 'feasible',
        reasonCode: 'technical',
        reasonText: 'Faisable aussi.',
      },
    });
    const dossier = await api(stack, 'GET', `${base}/dossiers/${ideaA}`, { token: coordinator });
    // Act: the verdict (cost out of bounds first)
    const project = {
      title: 'Parcours sportif du lac',
      summary: 'Un parcours de dix agrès autour du lac, accessible à tous.',
      cost: 18_000,
      envelope: 'pays-de-retz',
      theme: 'sport',
    };
    const tooDear = await api(stack, 'POST', `${base}/dossiers/${ideaA}/verdict`, {
      token: coordinator,
      body: { outcome: 'retained', ...reason, project: { ...project, cost: config.ideaCost.max + 1 } },
    });
    const verdict = await api(stack, 'POST', `${base}/dossiers/${ideaA}/verdict`, {
      token: coordinator,
      body: { outcome: 'retained', ...reason, project },
    });
    const list = await api(stack, 'GET', `${base}/ballot-list`, { token: committee });
    // Assess
    expect([admissible.status, feasible.status, other.status]).toEqual([201, 201, 201]);
    expect(feasible.body.assignment.status).toBe('decided');
    expect(admissible.body.verdict).toBeUndefined(); // two services: no implied verdict
    expect(dossier.body.status).toBe('opinions-complete');
    expect(dossier.body.assignments).toHaveLength(2);
    expect(tooDear.status).toBe(400);
    expect(tooDear.body.errors[0].field).toBe('body.project.cost');
    expect(verdict.status, JSON.stringify(verdict.body)).toBe(201);
    const projectId = verdict.body.project.id;
    expect(list.body.projects.map((p: { id: string }) => p.id)).toContain(projectId);
    expect(list.body.projects.find((p: { id: string }) => p.id === projectId)).toMatchObject({
      ...project,
      ideaIds: [ideaA],
    });
    expect(list.body.listSha256).toMatch(/^[0-9a-f]{64}$/);
    const decisions = (await busEvents(stack, 'DecisionRecorded')).filter((e) => e.detail.ideaId === ideaA);
    expect(decisions.map((e) => [e.detail.scope, e.detail.outcome])).toEqual([
      ['service', 'admissible'],
      ['service', 'feasible'],
      ['service', 'feasible'],
      ['verdict', 'retained'],
    ]);
    expect(decisions[3]?.detail).toMatchObject({ authorIds: [author.citizenId], projectId });
  });

  it('takes the only service’s opinion as the verdict, told to the authors', async () => {
    await api(stack, 'POST', `${base}/assignments`, {
      token: coordinator,
      body: { ideaIds: [ideaB], services: [{ serviceId: service0.id, dueDate: due() }] },
    });
    const decision = await api(stack, 'POST', `${base}/assignments/${ideaB}.${service0.id}/decisions`, {
      token: instructor,
      body: {
        kind: 'feasibility',
        outcome: 'not-feasible',
        reasonCode: 'location',
        reasonText: 'Le terrain n’appartient pas au Département.',
      },
    });
    const dossier = await api(stack, 'GET', `${base}/dossiers/${ideaB}`, { token: instructor });
    expect(decision.status).toBe(201);
    expect(decision.body.verdict).toMatchObject({ outcome: 'not-feasible', final: false });
    expect(dossier.body.status).toBe('not-feasible');
    const verdicts = (await busEvents(stack, 'DecisionRecorded')).filter(
      (e) => e.detail.ideaId === ideaB && e.detail.scope === 'verdict',
    );
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]?.detail).toMatchObject({ outcome: 'not-feasible', authorIds: [author.citizenId] });
  });

  it('shows the committee every dossier with its decisions and timeline, but no personal data of authors', async () => {
    // Act
    const first = await api(stack, 'POST', `${base}/dossiers/${ideaA}/committee-opinion`, {
      token: committee,
      body: { opinion: 'reserve', text: 'Le coût paraît élevé.' },
    });
    const second = await api(stack, 'POST', `${base}/dossiers/${ideaA}/committee-opinion`, {
      token: committee,
      body: { opinion: 'favorable', text: 'Après lecture de l’avis des services, favorable.' },
    });
    const dossier = await api(stack, 'GET', `${base}/dossiers/${ideaA}`, { token: committee });
    const list = await api(stack, 'GET', `${base}/dossiers?territory=pays-de-retz`, { token: committee });
    // Assess
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(dossier.status).toBe(200);
    expect(dossier.body.committeeOpinions).toHaveLength(1);
    expect(dossier.body.committeeOpinions[0].opinion).toBe('favorable');
    const kinds = dossier.body.timeline.map((t: { kind: string }) => t.kind);
    expect(kinds.filter((k: string) => k === 'committee-opinion')).toHaveLength(2);
    expect(kinds).toEqual(expect.arrayContaining(['assigned', 'accepted', 'decision', 'verdict']));
    expect(dossier.body.decisions).toHaveLength(3);
    expect(dossier.body.verdict.outcome).toBe('retained');
    for (const response of [dossier, list]) {
      const text = JSON.stringify(response.body);
      expect(text).not.toContain(author.citizenId);
      expect(text).not.toContain(author.email);
      expect(text).not.toContain('Association des Amis du Lac');
      expect(text).not.toMatch(/"(authorIds?|email|firstName|lastName|name)"/);
      expect(text).not.toMatch(/@/);
    }
  });

  it('freezes the list once the committee validates it, until a reasoned reopening', async () => {
    // Prepare: every envelope votable (a list nobody could vote on is refused: ballot-list-votable.test.ts)
    await completeBallotList(stack, factory.documents, config);
    const seen = await api(stack, 'GET', `${base}/ballot-list`, { token: committee });
    const stale = await api(stack, 'POST', `${base}/ballot-list/validation`, {
      token: committee,
      body: { listSha256: '0'.repeat(64) },
    });
    // Act: validate
    const validated = await api(stack, 'POST', `${base}/ballot-list/validation`, {
      token: committee,
      body: { listSha256: seen.body.listSha256 },
    });
    const votingProjects = await readProjects(factory.documents, stack.tableName, stack.edition);
    const retainC = () =>
      api(stack, 'POST', `${base}/dossiers/${ideaC}/verdict`, {
        token: coordinator,
        body: {
          outcome: 'retained',
          ...reason,
          project: {
            title: 'Agrès de plein air',
            summary: 'Six agrès de musculation en accès libre.',
            cost: 9_000,
            envelope: 'pays-de-retz',
            theme: 'sport',
          },
        },
      });
    const frozen = await retainC();
    const unrelated = await api(stack, 'POST', `${base}/dossiers/${ideaB}/verdict`, {
      token: coordinator,
      body: { outcome: 'not-feasible', reasonCode: 'location', reasonText: 'Confirmé par la coordination.' },
    });
    const reopenByCommittee = await api(stack, 'POST', `${base}/ballot-list/reopening`, {
      token: committee,
      body: { reason: 'Essai' },
    });
    const reopenWithoutReason = await api(stack, 'POST', `${base}/ballot-list/reopening`, {
      token: coordinator,
      body: {},
    });
    const reopened = await api(stack, 'POST', `${base}/ballot-list/reopening`, {
      token: coordinator,
      body: { reason: 'Un projet oublié doit être ajouté à la liste.' },
    });
    const retained = await retainC();
    const after = await api(stack, 'GET', `${base}/ballot-list`, { token: coordinator });
    const seededAgain = await readProjects(factory.documents, stack.tableName, stack.edition);
    // Assess
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('ballot_list_changed');
    expect(validated.status, JSON.stringify(validated.body)).toBe(200);
    expect(validated.body.state).toBe('validated');
    // The vote's snapshot would take the validated list, not the seeded projects.
    expect(votingProjects.map((p) => p.id)).toEqual(seen.body.projects.map((p: { id: string }) => p.id));
    expect(frozen.status).toBe(409);
    expect(frozen.body.code).toBe('ballot_list_frozen');
    expect(frozen.body.detail).toMatch(/réouverture/);
    expect(unrelated.status).toBe(201);
    expect(reopenByCommittee.status).toBe(403);
    expect(reopenWithoutReason.status).toBe(400);
    expect(reopened.status).toBe(200);
    expect(reopened.body.lastReopening.reason).toMatch(/oublié/);
    expect(retained.status).toBe(201);
    expect(after.body.state).toBe('open');
    expect(seededAgain.map((p) => p.id)).not.toContain(retained.body.project.id);
    expect(after.body.listSha256).not.toBe(seen.body.listSha256);
    const validations = await busEvents(stack, 'BallotListValidated');
    expect(validations.at(-1)?.detail).toMatchObject({
      listSha256: seen.body.listSha256,
      actor: { kind: 'staff', role: 'committee' },
    });
    const reopenings = await busEvents(stack, 'BallotListReopened');
    expect(reopenings.at(-1)?.detail).toMatchObject({
      validationId: validations.at(-1)?.detail.validationId,
      actor: { role: 'coordinator' },
    });
  });

  it('acts on signed action links once, for their recipient only, and refuses tampered and expired ones', async () => {
    // Prepare
    await api(stack, 'POST', `${base}/assignments`, {
      token: coordinator,
      body: { ideaIds: [ideaD], services: [{ serviceId: service0.id, dueDate: due() }] },
    });
    const key = await actionLinkKey(stack);
    const recipient = service0.contacts[0]?.email ?? '';
    const now = new Date();
    const link = (
      action: 'open' | 'accept' | 'reassign',
      ideaId: string,
      overrides: Record<string, unknown> = {},
    ) =>
      mintActionLink(key, {
        action,
        assignmentId: `${ideaId}.${service0.id}`,
        ideaId,
        edition: stack.edition,
        recipientEmail: recipient,
        expiresAt: new Date(now.getTime() + 7 * 86_400_000),
        now,
        ...overrides,
      });
    const use = (token: string, extra: Record<string, unknown> = {}, as = instructor) =>
      api(stack, 'POST', `${base}/action-links`, { token: as, body: { token, ...extra } });
    const accept = await link('accept', ideaD);
    const [header, payload, signature] = accept.split('.');
    const tampered = `${header}.${payload}.${signature?.startsWith('A') ? 'B' : 'A'}${signature?.slice(1)}`;
    const expired = await link('accept', ideaD, {
      expiresAt: new Date(now.getTime() - 60_000),
      now: new Date(now.getTime() - 3_600_000),
    });
    const otherRecipient = await link('accept', ideaD, {
      recipientEmail: service0.contacts[1]?.email ?? 'autre@exemple.fr',
    });
    // Act
    const results = {
      tampered: await use(tampered),
      expired: await use(expired),
      otherRecipient: await use(otherRecipient),
      valid: await use(accept),
      reused: await use(accept),
      reassignNoReason: await use(await link('reassign', ideaC)),
      reassign: await use(await link('reassign', ideaC), {
        reason: 'Relève plutôt de la direction des sports.',
      }),
      open: await use(await link('open', ideaD)),
    };
    // Assess
    expect(results.tampered.status).toBe(400);
    expect(results.tampered.body.code).toBe('action_link_invalid');
    expect(results.expired.status).toBe(410);
    expect(results.expired.body.code).toBe('action_link_expired');
    expect(results.otherRecipient.status).toBe(403);
    expect(results.otherRecipient.body.code).toBe('action_link_other_recipient');
    for (const refused of [results.tampered, results.expired, results.otherRecipient]) {
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(refused.body.detail).toMatch(/Connectez-vous au back-office/);
    }
    expect(results.valid.status, JSON.stringify(results.valid.body)).toBe(200);
    expect(results.valid.body).toMatchObject({
      action: 'accept',
      ideaId: ideaD,
      assignment: { status: 'accepted' },
    });
    expect(results.reused.status).toBe(409);
    expect(results.reused.body.code).toBe('action_link_used');
    expect(results.reassignNoReason.status).toBe(400);
    expect(results.reassign.status).toBe(200);
    expect(results.reassign.body.assignment.status).toBe('reassignment-requested');
    expect(results.open.body).toMatchObject({
      action: 'open',
      ideaId: ideaD,
      assignmentId: `${ideaD}.${service0.id}`,
    });
    const requested = (await busEvents(stack, 'ReassignmentRequested')).filter(
      (e) => e.detail.ideaId === ideaC,
    );
    expect(requested).toHaveLength(1);
  });

  it('reminds the service three working days before the due date, then escalates once it has passed, once per day', async () => {
    // Prepare: the manifest's daily 07:00 Paris schedule exists
    const schedules = (
      (await (await fetch(`${stack.busUrl}/__local/schedules`)).json()) as {
        schedules: { name: string; expression: string; timezone?: string }[];
      }
    ).schedules;
    expect(JSON.stringify(schedules)).toContain('instruction-deadlines');
    expect(JSON.stringify(schedules)).toContain('cron(0 7 * * ? *)');
    const assignmentId = `${ideaD}.${service0.id}`;
    const remindDay = addWorkingDays(today(), 2); // due() is its third working day
    const at7 = (day: string) => toInstant(`${day}T07:00`, config.timeZone);
    const mine = async (type: string) =>
      (await busEvents(stack, type)).filter((e) => e.detail.assignmentId === assignmentId);
    // Act 1: the 07:00 run of the reminder day, twice
    await fireDeadlines(stack, at7(remindDay));
    await fireDeadlines(stack, at7(remindDay));
    // Assess 1
    expect(await mine('DeadlineApproaching')).toHaveLength(1);
    expect((await mine('DeadlineApproaching'))[0]?.detail.dueDate).toBe(due());
    expect(await mine('DeadlineMissed')).toHaveLength(0);
    const digests = (await busEvents(stack, 'InstructionDigestReady')).filter(
      (e) => e.detail.digestDate === remindDay,
    );
    expect(digests).toHaveLength(1);
    expect(digests[0]?.detail.counts).toEqual(
      expect.arrayContaining([expect.objectContaining({ serviceId: service0.id, status: 'accepted' })]),
    );
    // Act 2: the day after the due date
    const lateDay = toLocal(
      new Date(toInstant(`${due()}T12:00`, config.timeZone).getTime() + 86_400_000),
      config.timeZone,
    ).slice(0, 10);
    await fireDeadlines(stack, at7(lateDay));
    await fireDeadlines(stack, at7(lateDay));
    // Assess 2
    const missed = await mine('DeadlineMissed');
    expect(missed).toHaveLength(1);
    const lateDigest = (await busEvents(stack, 'InstructionDigestReady')).filter(
      (e) => e.detail.digestDate === lateDay,
    );
    expect(lateDigest).toHaveLength(1);
    expect(lateDigest[0]?.detail.overdue.map((o: { assignmentId: string }) => o.assignmentId)).toContain(
      assignmentId,
    );
  });
});
