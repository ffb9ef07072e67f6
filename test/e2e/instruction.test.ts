import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Mail, readMailbox } from '../../local/ses.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { api, eventually, movePhase, staffToken, waitForBus } from '../support/api.ts';
import { completeBallotList } from '../support/ballot-list.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { instructorOf, seedPublishedIdea } from '../support/instruction.ts';
import '../support/stack-context.ts';
import { typeStaffCredentials } from '../support/journey.ts';

const stack = inject('stack');
const EDITION_FILE = `editions/${stack.edition}.json`;
const editionPath = `/api/editions/${stack.edition}`;
const instructionPath = `${editionPath}/staff/instruction`;
const factory = await citizenFactory(stack);

let browser: Browser;
let admin: string;

const busIdle = () => waitForBus(stack);

const setPhase = (to: string) =>
  movePhase(stack, admin, to, `Essai des pages d’instruction : passage en ${to}`);

function account(role: string) {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`No demo account with role ${role}`);
  return user;
}

/** Signs in through the real staff sign-in page. */
async function signInStaff(page: Page, role: string): Promise<void> {
  const user = account(role);
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
}

/** The emails to `to` whose subject contains `fragment`, once there. */
async function mailsTo(to: string, fragment: string): Promise<Mail[]> {
  return eventually(async () => {
    await busIdle();
    const mails = (await readMailbox(stack.mailboxUrl)).filter(
      (mail) => mail.destination.to.includes(to) && mail.subject.includes(fragment),
    );
    return mails.length > 0 ? mails : undefined;
  }, 30_000);
}

/** The signed action links of an email, by their `act` claim (read, not verified: the API verifies). */
function actionLinks(mail: Mail): Record<string, string> {
  const body = `${mail.body.html ?? ''}\n${mail.body.text ?? ''}`;
  const links: Record<string, string> = {};
  for (const match of body.matchAll(/lien\.html\?t=([A-Za-z0-9._%-]+)/g)) {
    const token = decodeURIComponent(match[1] ?? '');
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    links[payload.act] ??= `${stack.siteUrl}/staff/lien.html?t=${encodeURIComponent(token)}`;
  }
  return links;
}

/** A citizen's idea, submitted through the API and published by the moderator. */
async function publishedIdea(citizen: SeededCitizen, title: string): Promise<string> {
  const submitted = await api(stack, 'POST', `${editionPath}/ideas`, {
    token: citizen.token,
    headers: { 'idempotency-key': randomUUID() },
    body: {
      title,
      description: 'Planter une haie champêtre le long du chemin de l’école, pour l’ombre et les oiseaux.',
      theme: 'solidarites',
      territory: 'nantes',
      commune: '44109',
      estimatedCost: 15_000,
      proposer: { kind: 'individual' },
    },
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const published = await api(stack, 'POST', `${editionPath}/staff/ideas/${submitted.body.id}/moderation`, {
    token: await staffToken(stack, 'moderator'),
    body: { action: 'publish' },
  });
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  await busIdle();
  return submitted.body.id as string;
}

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await staffToken(stack, 'admin');
  // The test stack's functions run on the real date, after the demo's 2023 call for ideas: open it and extend it.
  await setPhase('ideas');
  const extended = await api(stack, 'POST', `${editionPath}/staff/ideas-window`, {
    token: admin,
    body: {
      action: 'extend',
      until: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      reason: 'Prolongation de l’appel à idées pour les essais des pages d’instruction',
    },
  });
  expect(extended.status, JSON.stringify(extended.body)).toBe(200);
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

describe('instruction pages', () => {
  it('lets an instructor open the dossier from the link in the mailbox, record a decision, and the author’s email appears', {
    timeout: 240_000,
  }, async () => {
    // Prepare: a citizen's idea, published, then the instruction phase
    const citizen = await factory.create('nantes');
    const title = `Une haie champêtre au chemin de l’école ${randomUUID().slice(0, 6)}`;
    const ideaId = await publishedIdea(citizen, title);
    await setPhase('instruction');
    const edition = (await api(stack, 'GET', editionPath)).body.edition;
    const service = edition.services[0] as { id: string; name: string };
    const instructor = account('instructor');

    // Act 1: the coordinator assigns it to the first service from the board, on a phone
    const coordinator = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(coordinator.page, 'coordinator');
      await coordinator.page.getByRole('link', { name: 'Instruction des idées' }).click();
      await coordinator.page
        .getByRole('heading', { level: 2, name: 'Tableau de bord de la coordination' })
        .waitFor();
      const checkbox = coordinator.page.getByLabel(`Sélectionner « ${title} » pour l’affectation`);
      await checkbox.check();
      await coordinator.page
        .getByRole('group', { name: 'Services chargés de l’instruction' })
        .getByLabel(service.name, { exact: true })
        .check();
      await expectNoAxeViolations(coordinator.page);
      await coordinator.page.getByRole('button', { name: 'Affecter', exact: true }).click();
      await coordinator.page.getByText(/1\s+affectation créée/).waitFor();
      const card = coordinator.page
        .locator('li')
        .filter({ has: coordinator.page.getByRole('heading', { name: title }) });
      expect(normalizeSpaces(await card.textContent())).toContain(service.name);
      await expectNoAxeViolations(coordinator.page);
    } finally {
      await coordinator.context.close();
    }

    // The service's first contact (the demo instructor) gets the dossier with its signed links
    const [assigned] = await mailsTo(instructor.email, title);
    const links = actionLinks(assigned as Mail);
    expect(Object.keys(links).sort()).toEqual(['accept', 'open', 'reassign']);

    // Act 2: the instructor opens the « open » link, signs in on the link page, lands on the dossier
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(links.open as string);
      await page.getByRole('heading', { level: 2, name: 'Connectez-vous pour utiliser ce lien' }).waitFor();
      await expectNoAxeViolations(page);
      await typeStaffCredentials(page, instructor, { button: 'Se connecter et continuer' });
      await page.waitForURL(new RegExp(`/staff/dossier\\.html\\?id=${ideaId}`));
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      const assignment = page.getByRole('article', { name: service.name, exact: true });
      expect(normalizeSpaces(await assignment.textContent())).toContain(
        'Affectée, en attente de prise en charge',
      );
      await expectNoAxeViolations(page);

      // Act 3: a decision: not admissible, with a reason from the edition's list and a text for the author
      const form = page.getByRole('form', { name: `Décision du service ${service.name}` });
      await form.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await form.locator('[aria-invalid="true"]').first().waitFor();
      await expectNoAxeViolations(page);
      await form.getByLabel('Recevabilité', { exact: true }).check();
      await form.getByLabel('Non recevable', { exact: true }).check();
      await form.getByLabel('Motif', { exact: true }).selectOption({ label: 'Compétence du Département' });
      const reason = 'Les chemins communaux relèvent de la commune, pas du Département.';
      await form.getByLabel('Explication', { exact: true }).fill(reason);
      await form.getByRole('button', { name: 'Enregistrer la décision' }).click();

      // Assess: the page says so, the dossier shows the verdict (single service) and the timeline
      await page.getByText(/Décision enregistrée : recevabilité, non recevable/).waitFor();
      const verdict = page.getByRole('region', { name: 'Verdict', exact: true });
      expect(normalizeSpaces(await verdict.textContent())).toContain('Non recevable');
      expect(normalizeSpaces(await verdict.textContent())).toContain(reason);
      await expectNoAxeViolations(page);

      // ...and the author's email, in plain French, with the reason
      const [decided] = await mailsTo(citizen.email, 'n’est pas recevable');
      expect(normalizeSpaces(decided?.body.text)).toContain(reason);

      // The same link a second time: refused, explained in French, with a way back
      await page.goto(links.open as string);
      await page.getByRole('heading', { level: 1, name: 'Ce lien a déjà été utilisé' }).waitFor();
      await page.getByRole('link', { name: 'Aller à l’espace agents' }).waitFor();
      await expectNoAxeViolations(page);

      // A tampered link: refused as invalid
      await page.goto(`${links.accept as string}x`);
      await page.getByRole('heading', { level: 1, name: 'Ce lien n’est pas valable' }).waitFor();

      // The instructor's queue lists it, with its status
      await page.goto(`${stack.siteUrl}/staff/instruction.html`);
      await page.getByRole('heading', { level: 2, name: 'File d’attente de mon service' }).waitFor();
      await page.getByRole('link', { name: title }).waitFor();
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }

    // Someone else signed in (a coordinator) cannot use the instructor's link: explained, with a way out
    const other = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(other.page, 'coordinator');
      await other.page.goto(links.accept as string);
      await other.page
        .getByRole('heading', { level: 1, name: 'Ce lien est destiné à une autre personne' })
        .waitFor();
      await other.page.getByRole('button', { name: 'Se connecter avec un autre compte' }).waitFor();
      await expectNoAxeViolations(other.page);
    } finally {
      await other.context.close();
    }

    // The Comité citoyen reads the dossier (no author data comes) and the list of projects
    const committee = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(committee.page, 'committee');
      await committee.page.goto(`${stack.siteUrl}/staff/dossier.html?id=${ideaId}`);
      await committee.page.getByRole('heading', { level: 1, name: title }).waitFor();
      await committee.page
        .getByRole('heading', { level: 3, name: 'Donner l’avis du Comité citoyen' })
        .waitFor();
      expect(await committee.page.locator('main').textContent()).not.toContain(citizen.email);
      await expectNoAxeViolations(committee.page);
      await committee.page.goto(`${stack.siteUrl}/staff/comite.html`);
      await committee.page.getByRole('heading', { level: 2, name: 'État de la liste' }).waitFor();
      expect(normalizeSpaces(await committee.page.locator('#co-sha').textContent())).toMatch(
        /^[0-9a-f]{64}$/,
      );
      await expectNoAxeViolations(committee.page);
    } finally {
      await committee.context.close();
    }

    // The decision is stored as the API reports it
    const dossier = await api(stack, 'GET', `${instructionPath}/dossiers/${ideaId}`, {
      token: await staffToken(stack, 'coordinator'),
    });
    expect(dossier.body.status).toBe('not-admissible');
  });

  it('shows the coordinator both services’ opinions to retain the idea as a project, records the Comité citoyen’s opinion, and lets it validate the list a coordinator then reopens', {
    timeout: 240_000,
  }, async () => {
    // Prepare: an idea assigned to two services; the second one has given its opinion already
    await setPhase('instruction');
    const coordinatorToken = await staffToken(stack, 'coordinator');
    const edition = (await api(stack, 'GET', editionPath)).body.edition;
    const [first, second] = edition.services as { id: string; name: string }[];
    if (!first || !second) throw new Error('The demo edition has two services at least');
    const author = await factory.create('nantes');
    const title = `Un abri vélo couvert au collège ${randomUUID().slice(0, 6)}`;
    const ideaId = await seedPublishedIdea(stack, factory.documents, {
      authorIds: [author.citizenId],
      territory: 'nantes',
      theme: 'solidarites',
      title,
    });
    const dueDate = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    const assigned = await api(stack, 'POST', `${instructionPath}/assignments`, {
      token: coordinatorToken,
      body: {
        ideaIds: [ideaId],
        services: [
          { serviceId: first.id, dueDate },
          { serviceId: second.id, dueDate },
        ],
      },
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(201);
    const secondInstructor = await instructorOf(stack, second.id, `instructeur.${second.id}@exemple.fr`);
    const secondOpinion = await api(
      stack,
      'POST',
      `${instructionPath}/assignments/${ideaId}.${second.id}/decisions`,
      {
        token: secondInstructor,
        body: {
          kind: 'feasibility',
          outcome: 'feasible',
          reasonCode: 'technical',
          reasonText: 'Le parvis du collège accueille un abri de dix places.',
        },
      },
    );
    expect(secondOpinion.status, JSON.stringify(secondOpinion.body)).toBe(201);

    // Act 1: the demo instructor takes the dossier and gives its service's opinion, with a cost estimate
    const instructor = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(instructor.page, 'instructor');
      await instructor.page.goto(`${stack.siteUrl}/staff/dossier.html?id=${ideaId}`);
      await instructor.page.getByRole('heading', { level: 1, name: title }).waitFor();
      await instructor.page.getByRole('button', { name: 'Prendre en charge cette instruction' }).click();
      await instructor.page.getByText(/Votre service a pris en charge l’instruction/).waitFor();
      const form = instructor.page.getByRole('form', { name: `Décision du service ${first.name}` });
      await form.getByLabel('Faisabilité', { exact: true }).check();
      await form.getByLabel('Faisable', { exact: true }).check();
      await form.getByLabel('Coût estimé par le service (en euros)').fill('45 000');
      await form
        .getByLabel('Motif', { exact: true })
        .selectOption({ label: 'Estimation du coût par le service' });
      await form.getByLabel('Explication', { exact: true }).fill('Un abri de dix places, pose comprise.');
      await form.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await instructor.page.getByText(/Décision enregistrée : faisabilité, faisable/).waitFor();
      await expectNoAxeViolations(instructor.page);
    } finally {
      await instructor.context.close();
    }

    // A retained verdict needs an open list (and the vote's tests need it open)
    const before = await api(stack, 'GET', `${instructionPath}/ballot-list`, { token: coordinatorToken });
    if (before.body.state === 'validated') {
      const reopened = await api(stack, 'POST', `${instructionPath}/ballot-list/reopening`, {
        token: coordinatorToken,
        body: { reason: 'Réouverture avant l’essai des pages du Comité citoyen.' },
      });
      expect(reopened.status, JSON.stringify(reopened.body)).toBe(200);
    }

    // Act 2: the coordinator reads both opinions and retains the idea as a project
    const coordinator = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(coordinator.page, 'coordinator');
      await coordinator.page.goto(`${stack.siteUrl}/staff/dossier.html?id=${ideaId}`);
      await coordinator.page.getByRole('heading', { level: 1, name: title }).waitFor();
      for (const service of [first, second]) {
        const opinion = normalizeSpaces(
          await coordinator.page.getByRole('article', { name: service.name, exact: true }).textContent(),
        );
        expect(opinion).toContain('Faisabilité : Faisable');
      }
      expect(
        normalizeSpaces(
          await coordinator.page.getByRole('article', { name: first.name, exact: true }).textContent(),
        ),
      ).toMatch(/Coût estimé : 45\s?000\s?€/);
      await expectNoAxeViolations(coordinator.page);
      const verdictForm = coordinator.page.getByRole('form', { name: 'Prononcer le verdict consolidé' });
      await verdictForm.getByLabel('Retenue : elle devient un projet soumis au vote').check();
      // The project is prefilled from the idea and the services' latest cost estimate
      expect(await verdictForm.getByLabel('Titre du projet').inputValue()).toBe(title);
      expect(await verdictForm.getByLabel('Coût retenu (en euros)').inputValue()).toBe('45000');
      expect(await verdictForm.getByLabel('Enveloppe').inputValue()).toBe('nantes');
      await verdictForm
        .getByLabel('Motif', { exact: true })
        .selectOption({ label: 'Répond aux critères du règlement' });
      await verdictForm
        .getByLabel('Explication', { exact: true })
        .fill('Les deux services la jugent faisable, pour 45 000 euros.');
      await expectNoAxeViolations(coordinator.page);
      await verdictForm.getByRole('button', { name: 'Prononcer le verdict' }).click();
      await coordinator.page.getByText(/Verdict enregistré : retenue/).waitFor();
      const verdict = normalizeSpaces(
        await coordinator.page.getByRole('region', { name: 'Verdict', exact: true }).textContent(),
      );
      expect(verdict).toContain('Verdict prononcé par la coordination');
      expect(verdict).toContain('Projet soumis au vote');
      await expectNoAxeViolations(coordinator.page);
    } finally {
      await coordinator.context.close();
    }
    await mailsTo(author.email, 'devient un projet');

    // Act 3: a committee member gives an opinion, then validates the ballot list it sees (every envelope
    // votable: a list nobody could vote on is refused, see ballot-list-votable.test.ts)
    const editionFile = await readEditionFile(EDITION_FILE);
    if (!editionFile.ok) throw new Error(editionFile.errors.join('\n'));
    await completeBallotList(stack, factory.documents, editionFile.config);
    const committee = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(committee.page, 'committee');
      await committee.page.goto(`${stack.siteUrl}/staff/dossier.html?id=${ideaId}`);
      const opinionForm = committee.page.getByRole('form', { name: 'Donner l’avis du Comité citoyen' });
      await opinionForm.getByLabel('Réservé', { exact: true }).check();
      await opinionForm
        .getByLabel('Explication de l’avis')
        .fill('Le besoin est réel : chercher un autre emplacement près du collège.');
      await opinionForm.getByRole('button', { name: 'Enregistrer l’avis' }).click();
      await committee.page.getByText('Avis du Comité citoyen enregistré.').waitFor();
      expect(
        normalizeSpaces(
          await committee.page
            .getByRole('region', { name: 'Avis du Comité citoyen', exact: true })
            .textContent(),
        ),
      ).toContain('chercher un autre emplacement');
      await expectNoAxeViolations(committee.page);

      await committee.page.getByRole('link', { name: 'Liste des projets (Comité citoyen)' }).click();
      await committee.page.getByRole('heading', { level: 2, name: 'Valider la liste' }).waitFor();
      const shown = normalizeSpaces(await committee.page.locator('#co-sha').textContent());
      await committee.page.getByRole('button', { name: 'Valider la liste des projets' }).click();
      await committee.page
        .locator('#co-checked-error')
        .getByText(/Cochez la case/)
        .waitFor();
      await committee.page.getByLabel(/J’ai vérifié la liste des/).check();
      await committee.page.getByRole('button', { name: 'Valider la liste des projets' }).click();
      await committee.page.getByText(/Liste validée au nom du Comité citoyen/).waitFor();
      expect(normalizeSpaces(await committee.page.locator('#co-state-body').textContent())).toContain(
        'Liste validée par le Comité citoyen',
      );
      await expectNoAxeViolations(committee.page);
      const validated = await api(stack, 'GET', `${instructionPath}/ballot-list`, {
        token: coordinatorToken,
      });
      expect(validated.body.validation.listSha256).toBe(shown);
    } finally {
      await committee.context.close();
    }

    // Act 4: the coordinator reopens it, with a reason, from the same page
    const reopening = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(reopening.page, 'coordinator');
      await reopening.page.goto(`${stack.siteUrl}/staff/comite.html`);
      await reopening.page.getByRole('button', { name: 'Rouvrir la liste' }).click();
      await reopening.page.locator('#co-reason-error').getByText(/motif/).waitFor();
      await reopening.page
        .getByLabel('Motif de la réouverture')
        .fill('Un projet retenu doit encore être ajouté.');
      await reopening.page.getByRole('button', { name: 'Rouvrir la liste' }).click();
      await reopening.page.getByText(/Liste rouverte/).waitFor();
      const state = normalizeSpaces(await reopening.page.locator('#co-state-body').textContent());
      expect(state).toContain('Liste ouverte');
      expect(state).toContain('Motif : Un projet retenu doit encore être ajouté.');
      await expectNoAxeViolations(reopening.page);
    } finally {
      await reopening.context.close();
      // Never leave the list frozen for the vote's tests: the vote takes a validated list over the seeded projects.
      const left = await api(stack, 'GET', `${instructionPath}/ballot-list`, { token: coordinatorToken });
      if (left.body.state === 'validated')
        await api(stack, 'POST', `${instructionPath}/ballot-list/reopening`, {
          token: coordinatorToken,
          body: { reason: 'Réouverture après l’essai des pages du Comité citoyen.' },
        });
    }
  });
});
