import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readMailbox } from '../../local/ses.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import { launchBrowser, normalizeSpaces, openPage, PHONE_VIEWPORT } from '../support/browser.ts';
import { type TestProfile, uniqueEmail, uniquePerson } from '../support/identity.ts';
import {
  actionLinks,
  axeOnEveryPage,
  clockTo,
  DESKTOP_VIEWPORT,
  mailsTo,
  type StaffAccount,
  signInCitizenThroughPages,
  signInStaffThroughPages,
  siteLinks,
  staffAccount,
  typeStaffCredentials,
} from '../support/journey.ts';
import { PNG_1PX } from '../support/pictures.ts';
import '../support/stack-context.ts';

/**
 * Issue 12's acceptance proof: one fresh edition lived from the call for ideas to the follow-up of a winner,
 * through the site's pages and emails only. Each actor has their own browser context; codes and action links
 * come from the SES emulator's mailbox; time moves with the local bus's clock (a `.clock.test.ts` file: every
 * Date of this process follows it, so the phase schedules fire by themselves, as in `npm start`). axe runs on
 * every page the journey visits, at a desktop width and at 360 px. The steps run in order: one file, one edition.
 *
 * The edition is small enough to be filled through the pages alone, its ballot list included: the territory
 * « Nantes » and the Département-wide envelope, an approval ballot of 2 to 4 projects per envelope, supports on,
 * the demo's calendar, services and staff (the file stack reads the line below).
 * @stack-edition test/fixtures/parcours-essai.json
 */
const stack = inject('stack');
// The edition this test configured (the line above): its calendar and envelopes, read from the file, not the API.
const file = await readEditionFile('test/fixtures/parcours-essai.json');
if (!file.ok) throw new Error(file.errors.join('\n'));
const edition = file.config;
const at = (local: string) => toInstant(local, edition.timeZone);
const calendar = {
  ideasOpen: at(edition.calendar.ideasOpen),
  ideasClose: at(edition.calendar.ideasClose),
  instructionEnd: at(edition.calendar.instructionEnd),
  voteOpen: at(edition.calendar.voteOpen),
  voteClose: at(edition.calendar.voteClose),
  resultsAt: at(edition.calendar.resultsAt),
};
const minutesAfter = (instant: Date, minutes: number) => new Date(instant.getTime() + minutes * 60_000);
const service = edition.services[0] as { id: string; name: string };
const NANTES = 'nantes';
/** The Département-wide envelope: any inhabitant may propose for it, and vote in it. */
const WIDE = edition.budget.departementWide as { id: string; name: string; envelope: number };
/** The text alternative Alice gives the picture of her idea. */
const PICTURE_ALT = 'Un abri à vélos en bois, couvert, devant l’entrée d’un collège';

/** A short random tag: this edition's titles are found by it in searches. */
const tag = randomUUID().slice(0, 4);

interface Citizen {
  name: string;
  email: string;
  profile: TestProfile & { postcode: string };
  context: BrowserContext;
  page: Page;
}

interface IdeaDraft {
  key: string;
  title: string;
  description: string;
  cost: number;
  /** Proposed for the Département-wide envelope (else for Nantes). */
  wide?: boolean;
}

/**
 * The ideas of the journey, by key; A, B, C and G become the Nantes projects put to the vote, H and I the
 * Département-wide ones.
 */
const IDEAS: Record<string, IdeaDraft> = {
  A: {
    key: 'A',
    title: `Un abri vélo couvert au collège Rosa-Parks ${tag}`,
    description:
      'Un abri couvert et éclairé de vingt places devant le collège, pour venir à vélo toute l’année.',
    cost: 40_000,
  },
  B: {
    key: 'B',
    title: `Des bancs ombragés le long de l’Erdre ${tag}`,
    description: 'Dix bancs sous des arbres plantés le long du chemin de halage, pour les promeneurs âgés.',
    cost: 30_000,
  },
  C: {
    key: 'C',
    title: `Un jardin partagé au pied des tours de Bellevue ${tag}`,
    description:
      'Des bacs potagers et un récupérateur d’eau de pluie, tenus par l’association des habitants.',
    cost: 20_000,
  },
  G: {
    key: 'G',
    title: `Une boîte à livres à la médiathèque Floresca ${tag}`,
    description:
      'Une grande boîte à livres en bois, fabriquée par un chantier d’insertion, ouverte jour et nuit.',
    cost: 5_000,
  },
  D: {
    key: 'D',
    title: `Idée à masquer : publicité pour mon garage ${tag}`,
    description:
      'Venez tous au garage du centre, les meilleurs prix de la ville sur les vidanges et les pneus.',
    cost: 2_000,
  },
  E: {
    key: 'E',
    title: `Des toilettes publiques ${tag}`,
    description: 'Il en faudrait plus, quelque part, pour tout le monde, parce que ce serait bien pour tous.',
    cost: 15_000,
  },
  F: {
    key: 'F',
    title: `Un parking à vélos fermé devant le collège Rosa-Parks ${tag}`,
    description: 'Les vélos des collégiens sont volés : un abri fermé devant le collège les protégerait.',
    cost: 35_000,
  },
  H: {
    key: 'H',
    title: `Des pontons de pêche accessibles en fauteuil sur la Loire ${tag}`,
    description: 'Trois pontons de pêche accessibles aux personnes en fauteuil, le long de la Loire.',
    cost: 25_000,
    wide: true,
  },
  I: {
    key: 'I',
    title: `Un bibliobus pour les communes sans bibliothèque ${tag}`,
    description: 'Un bibliobus qui passe chaque semaine dans les communes rurales sans bibliothèque.',
    cost: 15_000,
    wide: true,
  },
};
const PROJECTS = ['A', 'B', 'C', 'G'] as const;
const WIDE_PROJECTS = ['H', 'I'] as const;
const axe = axeOnEveryPage();

let browser: Browser;
const citizens: Record<'alice' | 'bruno' | 'chloe', Citizen> = {} as never;
/** Project ids as the coordination reads them on the list page (ties are broken by them). */
/** The ballots the journey casts in the Nantes envelope, by project key, to count them by hand. */
const nantesBallots: string[][] = [];
let aliceReceipt = '';

function person(name: string, firstName: string): Citizen['profile'] {
  // uniquePerson's last name is letters only (the form refuses digits) and unique to this run.
  return {
    ...uniquePerson({ firstName }),
    postcode: '44000',
    lastName: `${name} ${uniquePerson().lastName}`,
  };
}

/** A new browser context for one staff member, signed in through the sign-in page (sessions end with time). */
async function staffPage(user: StaffAccount, viewport = DESKTOP_VIEWPORT) {
  const opened = await openPage(browser, { viewport });
  await signInStaffThroughPages(opened.page, stack, user);
  return opened;
}

/** Signs the citizen in again (the clock moves weeks at a time: sessions expire, as they would). */
async function signIn(citizen: Citizen): Promise<Page> {
  await signInCitizenThroughPages(citizen.page, stack, citizen.email);
  return citizen.page;
}

/** The picture is shown and its file was loaded (a 1×1 PNG, from the S3 emulator). */
async function expectPicture(image: Locator): Promise<void> {
  await image.waitFor();
  await expect
    .poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth), { timeout: 15_000 })
    .toBe(1);
}

/**
 * « Proposer une idée », the three steps, in Nantes or for the whole Département; a picture with its
 * description when asked; axe on each step the first time.
 */
async function propose(page: Page, idea: IdeaDraft, checkAxe: boolean, picture = false): Promise<void> {
  await page.goto(`${stack.siteUrl}/proposer.html`);
  await page.waitForLoadState('networkidle');
  await page.getByRole('heading', { level: 2, name: /Étape 1 sur 3/ }).waitFor();
  if (idea.wide) await page.getByLabel('Territoire', { exact: true }).selectOption({ label: WIDE.name });
  else await page.getByLabel('Commune concernée').selectOption({ label: 'Nantes' });
  if (checkAxe) await axe(page);
  await page.getByRole('button', { name: 'Étape suivante' }).click();
  await page.getByRole('heading', { level: 2, name: /Étape 2 sur 3/ }).waitFor();
  await page.getByLabel('Thème', { exact: true }).selectOption({ index: 1 });
  await page.getByLabel('Titre', { exact: true }).fill(idea.title);
  await page.getByLabel('Description', { exact: true }).fill(idea.description);
  if (checkAxe) await axe(page);
  await page.getByRole('button', { name: 'Étape suivante' }).click();
  await page.getByRole('heading', { level: 2, name: /Étape 3 sur 3/ }).waitFor();
  await page.getByLabel('Coût estimé (en euros)').fill(String(idea.cost));
  if (picture) {
    await page.getByLabel('Photo', { exact: true }).setInputFiles({
      name: 'abri-velo.png',
      mimeType: 'image/png',
      buffer: PNG_1PX,
    });
    await page.getByLabel('Description de la photo').fill(PICTURE_ALT);
  }
  if (checkAxe) await axe(page);
  await page.getByRole('button', { name: 'Envoyer mon idée' }).click();
  await page.locator('#done-heading').waitFor();
  // The page says why when a picture was not added: the message is the assertion's.
  expect(normalizeSpaces(await page.locator('#propose-done').textContent())).not.toContain(
    'La photo n’a pas été ajoutée',
  );
  if (checkAxe) await axe(page);
}

/** One decision on the moderation page, on the card of `title`. */
async function moderate(
  page: Page,
  title: string,
  action: 'Publier' | 'Demander une modification à l’auteur' | 'Masquer (charte de participation)',
  reason?: string,
): Promise<void> {
  const card = page.locator('article').filter({ has: page.getByRole('heading', { name: title }) });
  await card.waitFor();
  await card.getByLabel(action, { exact: true }).check();
  if (action.startsWith('Masquer')) await card.getByLabel('Règle de la charte').selectOption({ index: 1 });
  if (reason) await card.getByLabel('Motif').fill(reason);
  await card.getByRole('button', { name: 'Enregistrer la décision' }).click();
  await page.getByText(`Décision enregistrée pour « ${title} »`).waitFor();
}

/** The coordinator's consolidated « retenue » verdict on the dossier page, reached from the board. */
async function retain(page: Page, idea: IdeaDraft): Promise<void> {
  await page.goto(`${stack.siteUrl}/staff/instruction.html`);
  await page.getByRole('link', { name: idea.title }).first().click();
  await page.getByRole('heading', { level: 1, name: idea.title }).waitFor();
  const form = page.getByRole('form', { name: 'Prononcer le verdict consolidé' });
  await form.getByLabel('Retenue : elle devient un projet soumis au vote').check();
  expect(await form.getByLabel('Enveloppe').inputValue()).toBe(idea.wide ? WIDE.id : NANTES);
  await form.getByLabel('Motif', { exact: true }).selectOption({ label: 'Répond aux critères du règlement' });
  await form
    .getByLabel('Explication', { exact: true })
    .fill('Recevable, faisable, dans le budget du territoire.');
  await form.getByRole('button', { name: 'Prononcer le verdict' }).click();
  await page.getByText(/Verdict enregistré : retenue/).waitFor();
}

/** Votes on « Voter » for the projects `keys` of the Nantes envelope; returns the receipt code shown. */
async function vote(page: Page, keys: string[], emailReceipt: boolean, checkAxe: boolean): Promise<string> {
  await page.getByRole('navigation').getByRole('link', { name: 'Voter' }).click();
  await page.getByRole('heading', { level: 1, name: 'Voter' }).waitFor();
  const territory = page.getByRole('group', { name: /Enveloppe de votre territoire/ });
  await territory.waitFor();
  for (const key of keys) await territory.getByLabel((IDEAS[key] as IdeaDraft).title).check();
  if (checkAxe) await axe(page);
  await page.getByRole('button', { name: 'Vérifier mes choix' }).click();
  await page.getByRole('heading', { level: 2, name: 'Confirmez votre vote' }).waitFor();
  if (checkAxe) await axe(page);
  if (emailReceipt)
    await page.getByRole('checkbox', { name: 'M’envoyer mon code de reçu par courriel' }).check();
  await page.getByRole('button', { name: 'Confirmer mon vote' }).click();
  await page.getByRole('heading', { level: 2, name: 'Votre vote est enregistré' }).waitFor();
  if (checkAxe) await axe(page);
  nantesBallots.push(keys);
  return normalizeSpaces(await page.locator('#receipt-code').textContent());
}

/**
 * The expected winners of the Nantes envelope, worked out by hand from the ballots cast: the edition counts
 * with the greedy rule (most votes first; ties by project id, the published tie-break; a project that no longer
 * fits the remaining budget is skipped). The ballots are such that no tie decides a winner: the count is done
 * with tied projects in both orders and must come out the same (no project id reaches the pages).
 */
function expectedNantesWinners(): { key: string; votes: number }[] {
  const [first, reversed] = [1, -1].map((tieOrder) => greedyNantes(tieOrder));
  expect(reversed).toEqual(first);
  return first as { key: string; votes: number }[];
}

function greedyNantes(tieOrder: number): { key: string; votes: number }[] {
  const budget = (edition.territories as { id: string; envelope: number }[]).find((t) => t.id === NANTES)
    ?.envelope as number;
  const votes = new Map(PROJECTS.map((key) => [key as string, 0]));
  for (const ballot of nantesBallots) for (const key of ballot) votes.set(key, (votes.get(key) ?? 0) + 1);
  const order = [...PROJECTS].sort(
    (a, b) => (votes.get(b) ?? 0) - (votes.get(a) ?? 0) || (a < b ? -tieOrder : tieOrder),
  );
  let left = budget;
  const winners: { key: string; votes: number }[] = [];
  for (const key of order) {
    const cost = (IDEAS[key] as IdeaDraft).cost;
    if (cost <= left) {
      left -= cost;
      winners.push({ key, votes: votes.get(key) ?? 0 });
    }
  }
  return winners;
}

beforeAll(async () => {
  browser = await launchBrowser();
  for (const [key, first] of [
    ['alice', 'Alice'],
    ['bruno', 'Bruno'],
    ['chloe', 'Chloé'],
  ] as const) {
    const opened = await openPage(browser, { viewport: PHONE_VIEWPORT });
    citizens[key] = { name: first, email: uniqueEmail(key), profile: person(first, first), ...opened };
  }
});

afterAll(async () => {
  await browser?.close();
});

describe('a whole edition, lived in the browser by every actor', () => {
  it('opens the call for ideas by its schedule; three inhabitants verify their identity on a phone', {
    timeout: 120_000,
  }, async () => {
    // The stack starts an hour before the call for ideas; its schedule opens it.
    await clockTo(stack, minutesAfter(calendar.ideasOpen, 1));
    const { page } = citizens.alice;
    await page.goto(stack.siteUrl);
    await page
      .getByRole('link', { name: /Proposer une idée/ })
      .first()
      .waitFor();
    await axe(page);
    for (const citizen of Object.values(citizens)) {
      await signInCitizenThroughPages(citizen.page, stack, citizen.email, citizen.profile);
      expect(normalizeSpaces(await citizen.page.locator('#me-data').textContent())).toContain(
        citizen.profile.lastName,
      );
    }
    await axe(page);
  });

  it('lets the inhabitants propose ideas with the form, and keep a draft', { timeout: 180_000 }, async () => {
    // Alice's idea comes with a picture and its description (the local stack stores it in its S3 emulator).
    await propose(citizens.alice.page, IDEAS.A as IdeaDraft, true, true);
    await propose(citizens.alice.page, IDEAS.H as IdeaDraft, false);
    for (const key of ['B', 'D', 'G']) await propose(citizens.bruno.page, IDEAS[key] as IdeaDraft, false);
    for (const key of ['C', 'E', 'F', 'I'])
      await propose(citizens.chloe.page, IDEAS[key] as IdeaDraft, false);

    // Alice starts a second idea and leaves it: the draft is kept, and « Mes idées » offers to take it up.
    const { page } = citizens.alice;
    await page.goto(`${stack.siteUrl}/proposer.html`);
    await page.getByLabel('Commune concernée').selectOption({ label: 'Nantes' });
    await page.getByRole('button', { name: 'Étape suivante' }).click();
    await page.getByLabel('Titre', { exact: true }).fill(`Un brouillon de fontaine ${tag}`);
    await page.getByText(/Brouillon enregistré/).waitFor();
    await page.goto(`${stack.siteUrl}/mes-idees.html`);
    await page.getByRole('link', { name: 'Reprendre le brouillon' }).waitFor();
    await page.getByRole('heading', { name: (IDEAS.A as IdeaDraft).title }).waitFor();
    await axe(page);

    // Each author got an acknowledgement by email.
    await mailsTo(stack, citizens.chloe.email, /./, 4);
  });

  it('lets the moderator publish, hide with a reason, ask for a change and merge a duplicate', {
    timeout: 180_000,
  }, async () => {
    const { context, page } = await staffPage(staffAccount(stack, 'moderator'), PHONE_VIEWPORT);
    try {
      await page.getByRole('link', { name: 'Modérer les idées' }).click();
      const cardA = page
        .locator('article')
        .filter({ has: page.getByRole('heading', { name: (IDEAS.A as IdeaDraft).title }) });
      await cardA.waitFor();
      // A's picture, shown with its description, loaded from storage.
      await expectPicture(cardA.getByRole('img', { name: PICTURE_ALT }));
      await cardA.getByText(`Description de la photo 1 : ${PICTURE_ALT}`).waitFor();
      await axe(page);
      for (const key of [...PROJECTS, ...WIDE_PROJECTS])
        await moderate(page, (IDEAS[key] as IdeaDraft).title, 'Publier');
      await moderate(
        page,
        (IDEAS.D as IdeaDraft).title,
        'Masquer (charte de participation)',
        'Publicité pour un commerce : contraire à la charte.',
      );
      await moderate(
        page,
        (IDEAS.E as IdeaDraft).title,
        'Demander une modification à l’auteur',
        'Précisez le lieu : quel quartier, quelle place ?',
      );
      // The duplicate goes into A, found by its title among the published ideas (the page reloads them).
      await page.reload();
      const duplicate = (IDEAS.F as IdeaDraft).title;
      const card = page.locator('article').filter({ has: page.getByRole('heading', { name: duplicate }) });
      await card.getByLabel('Regrouper dans une autre idée (doublon)').check();
      await card.getByLabel('Idée qui regroupe : rechercher par titre').fill(`abri vélo ${tag}`);
      await card.getByText('1 idée correspond').waitFor();
      await card
        .getByLabel('Idée qui regroupe', { exact: true })
        .selectOption({ label: `${(IDEAS.A as IdeaDraft).title} (Nantes)` });
      await card.getByLabel('Motif').fill('Même besoin que l’abri vélo du collège, déjà publié.');
      await axe(page);
      await card.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await page.getByText(`Décision enregistrée pour « ${duplicate} »`).waitFor();
      await axe(page);
    } finally {
      await context.close();
    }

    // The public list shows the published ideas, not the hidden one.
    const visitor = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await visitor.page.goto(`${stack.siteUrl}/idees.html`);
      await visitor.page.getByRole('link', { name: (IDEAS.A as IdeaDraft).title }).waitFor();
      expect(await visitor.page.getByText((IDEAS.D as IdeaDraft).title).count()).toBe(0);
      await axe(visitor.page);
      // A's page shows its picture, with Alice's text alternative.
      await visitor.page.getByRole('link', { name: (IDEAS.A as IdeaDraft).title }).click();
      await visitor.page.getByRole('heading', { level: 1, name: (IDEAS.A as IdeaDraft).title }).waitFor();
      const picture = visitor.page.locator('#idea-pictures').getByRole('img', { name: PICTURE_ALT });
      await expectPicture(picture);
      expect(await picture.getAttribute('alt')).toBe(PICTURE_ALT);
      await axe(visitor.page);
    } finally {
      await visitor.context.close();
    }

    // The authors learn it on « Mes idées » (and by email): the change asked, the merge.
    const page2 = citizens.chloe.page;
    await page2.goto(`${stack.siteUrl}/mes-idees.html`);
    await page2.getByRole('heading', { name: (IDEAS.E as IdeaDraft).title }).waitFor();
    const mine = normalizeSpaces(await page2.locator('main').textContent());
    expect(mine).toContain('Précisez le lieu : quel quartier, quelle place ?');
    expect(mine).toContain('Regroupée avec');
    await axe(page2);
    await mailsTo(stack, citizens.bruno.email, /masqu/i);

    // Bruno supports Alice's idea from its page (this edition has supports on).
    const supporter = citizens.bruno.page;
    await supporter.goto(`${stack.siteUrl}/idees.html`);
    await supporter.getByRole('link', { name: (IDEAS.A as IdeaDraft).title }).click();
    await supporter.getByRole('heading', { level: 1, name: (IDEAS.A as IdeaDraft).title }).waitFor();
    await supporter.getByRole('button', { name: 'Soutenir cette idée' }).click();
    await supporter.getByRole('button', { name: 'Retirer mon soutien' }).waitFor();
    expect(normalizeSpaces(await supporter.locator('#supports-count').textContent())).toBe('1 soutien');
    await axe(supporter);
  });

  it('closes the call by its schedule; the coordinator assigns with a deadline, the service acts from its email link', {
    timeout: 180_000,
  }, async () => {
    await clockTo(stack, minutesAfter(calendar.ideasClose, 1));
    const due = new Date(calendar.ideasClose.getTime() + 8 * 86_400_000).toISOString().slice(0, 10);
    const coordinator = await staffPage(staffAccount(stack, 'coordinator'), PHONE_VIEWPORT);
    try {
      const { page } = coordinator;
      await page.getByRole('link', { name: 'Instruction des idées' }).click();
      await page.getByRole('heading', { level: 2, name: 'Tableau de bord de la coordination' }).waitFor();
      for (const key of [...PROJECTS, ...WIDE_PROJECTS])
        await page
          .getByLabel(`Sélectionner « ${(IDEAS[key] as IdeaDraft).title} » pour l’affectation`)
          .check();
      await page
        .getByRole('group', { name: 'Services chargés de l’instruction' })
        .getByLabel(service.name, { exact: true })
        .check();
      await page.getByLabel('Avis attendu le').fill(due);
      await axe(page);
      await page.getByRole('button', { name: 'Affecter', exact: true }).click();
      await page.getByText(/6\s+affectations créées/).waitFor();
      await axe(page);
    } finally {
      await coordinator.context.close();
    }

    // The service's contact learns of A by email and acts from its link: takes it, gives the cost.
    const instructor = staffAccount(stack, 'instructor');
    const [assigned] = await mailsTo(stack, instructor.email, (IDEAS.A as IdeaDraft).title);
    const links = actionLinks(stack, assigned as NonNullable<typeof assigned>);
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(links.accept as string);
      await page.getByRole('heading', { level: 2, name: 'Connectez-vous pour utiliser ce lien' }).waitFor();
      await axe(page);
      await typeStaffCredentials(page, instructor, { button: 'Se connecter et continuer' });
      await page.waitForURL(/\/staff\/dossier\.html\?/);
      await page.getByRole('heading', { level: 1, name: (IDEAS.A as IdeaDraft).title }).waitFor();
      const form = page.getByRole('form', { name: `Décision du service ${service.name}` });
      await form.getByLabel('Faisabilité', { exact: true }).check();
      await form.getByLabel('Faisable', { exact: true }).check();
      await form.getByLabel('Coût estimé par le service (en euros)').fill('45 000');
      await form
        .getByLabel('Motif', { exact: true })
        .selectOption({ label: 'Estimation du coût par le service' });
      await form.getByLabel('Explication', { exact: true }).fill('Un abri de vingt places, pose comprise.');
      await axe(page);
      await form.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await page.getByText(/Décision enregistrée : faisabilité, faisable/).waitFor();
      await axe(page);
    } finally {
      await context.close();
    }
    (IDEAS.A as IdeaDraft).cost = 45_000;
  });

  it('reminds the service before the deadline; the coordinator retains six projects, the Comité citoyen gives an opinion and validates the list', {
    timeout: 180_000,
  }, async () => {
    // Three working days before the due date, the 07:00 check reminds the service of what is still open.
    const instructor = staffAccount(stack, 'instructor');
    await clockTo(stack, new Date(calendar.ideasClose.getTime() + 7 * 86_400_000));
    const reminders = await mailsTo(stack, instructor.email, 'Rappel : avis attendu le', 5);
    const reminded = reminders.map((mail) => normalizeSpaces(mail.body.text));
    // The five assignments still open are reminded of; A's service has given its opinion already.
    for (const key of ['B', 'C', 'G', 'H', 'I'])
      expect(reminded.some((text) => text.includes((IDEAS[key] as IdeaDraft).title))).toBe(true);
    expect(reminded.some((text) => text.includes((IDEAS.A as IdeaDraft).title))).toBe(false);

    const coordinator = await staffPage(staffAccount(stack, 'coordinator'));
    try {
      for (const key of [...PROJECTS, ...WIDE_PROJECTS])
        await retain(coordinator.page, IDEAS[key] as IdeaDraft);
      await axe(coordinator.page);
    } finally {
      await coordinator.context.close();
    }
    await mailsTo(stack, citizens.alice.email, 'devient un projet');

    const committee = await staffPage(staffAccount(stack, 'committee'), PHONE_VIEWPORT);
    try {
      const { page } = committee;
      await page.getByRole('link', { name: 'Liste des projets (Comité citoyen)' }).click();
      await page.getByRole('heading', { level: 2, name: 'Valider la liste' }).waitFor();
      await axe(page);
      // An opinion on A, from its dossier.
      await page.goto(`${stack.siteUrl}/staff/instruction.html`);
      await page
        .getByRole('link', { name: (IDEAS.A as IdeaDraft).title })
        .first()
        .click();
      const opinion = page.getByRole('form', { name: 'Donner l’avis du Comité citoyen' });
      await opinion.getByLabel('Favorable', { exact: true }).check();
      await opinion.getByLabel('Explication de l’avis').fill('Utile aux collégiens, à réaliser vite.');
      await opinion.getByRole('button', { name: 'Enregistrer l’avis' }).click();
      await page.getByText('Avis du Comité citoyen enregistré.').waitFor();
      await axe(page);
      // The list, validated.
      await page.goto(`${stack.siteUrl}/staff/comite.html`);
      await page.getByRole('heading', { level: 2, name: 'Valider la liste' }).waitFor();
      // Every envelope can be voted in: nothing blocks the validation.
      expect(await page.getByText(/ne permet(tent)? pas de voter/).count()).toBe(0);
      await page.getByLabel(/J’ai vérifié la liste des 6\sprojets/).check();
      await page.getByRole('button', { name: 'Valider la liste des projets' }).click();
      await page.getByText(/Liste validée au nom du Comité citoyen/).waitFor();
      await axe(page);
    } finally {
      await committee.context.close();
    }
  });

  it('opens the vote by its schedule; inhabitants vote online, a paper sheet is entered twice by two agents', {
    timeout: 240_000,
  }, async () => {
    await clockTo(stack, minutesAfter(calendar.voteOpen, 1));

    const coordinator = await staffPage(staffAccount(stack, 'coordinator'));
    let votingCode = '';
    try {
      const { page } = coordinator;
      // A person without email registers on site and gets a printed voting code.
      await page.goto(`${stack.siteUrl}/staff/back-office.html`);
      await page.getByRole('link', { name: 'Identités (coordination)' }).click();
      await page.getByRole('heading', { level: 2, name: 'Inscription sur place' }).waitFor();
      const denis = person('Denis', 'Denis');
      await page.getByLabel('Prénom').fill(denis.firstName);
      await page.getByLabel('Nom', { exact: true }).fill(denis.lastName);
      await page.getByLabel('Date de naissance').fill(denis.birthDate);
      await page.getByLabel('Code postal de la commune').fill('44000');
      await page.getByText('Commune trouvée').waitFor();
      await page.getByRole('button', { name: 'Inscrire et obtenir le code de vote' }).click();
      votingCode = normalizeSpaces(await page.locator('#voting-code').textContent());
      await axe(page);
    } finally {
      await coordinator.context.close();
    }

    // Online: three inhabitants, on their phones.
    aliceReceipt = await vote(await signIn(citizens.alice), ['A', 'B', 'C'], true, true);
    await vote(await signIn(citizens.bruno), ['A', 'B', 'C'], false, false);
    await vote(await signIn(citizens.chloe), ['A', 'B', 'G'], false, false);

    // On paper: Denis ticks A and G; two agents type the sheet.
    const paper = ['A', 'G'];
    const sheet = `J-${tag}`;
    // The local stack has two coordinators (as a Département has several agents for the sheets).
    const [firstAgent, secondAgent] = stack.staff.filter((user) => user.role === 'coordinator');
    if (!firstAgent || !secondAgent) throw new Error('two coordinator accounts expected on the stack');
    const outcomes: string[] = [];
    for (const agent of [firstAgent, secondAgent]) {
      const { context, page } = await staffPage(agent, PHONE_VIEWPORT);
      try {
        await page.goto(`${stack.siteUrl}/staff/bulletins-papier.html`);
        await page.getByRole('heading', { level: 2, name: 'Saisir une feuille' }).waitFor();
        await page.getByLabel('Numéro de la feuille').fill(sheet);
        await page.getByLabel('Code de vote de la personne').fill(votingCode);
        // Denis's sheet, as printed: the projects by name.
        const nantes = page.locator('#entry-form').getByRole('group', { name: 'Projets cochés — Nantes' });
        for (const key of paper)
          await nantes.getByLabel((IDEAS[key] as IdeaDraft).title, { exact: true }).check();
        await axe(page);
        await page.getByRole('button', { name: 'Enregistrer la saisie' }).click();
        const result = page.locator('#entry-result').getByText(`Feuille ${sheet}`);
        await result.waitFor();
        outcomes.push(normalizeSpaces(await result.textContent()));
        await axe(page);
      } finally {
        await context.close();
      }
    }
    expect(outcomes[0]).toContain('Première saisie enregistrée');
    expect(outcomes[1]).toContain('Les deux saisies concordent');
    nantesBallots.push(paper);

    // The admin pauses the vote for a check of the site, then resumes it, from « Fenêtre de vote ».
    const adminPage = await staffPage(staffAccount(stack, 'admin'));
    try {
      await adminPage.page.getByRole('link', { name: 'Fenêtre de vote (administration)' }).click();
      await adminPage.page.waitForURL(/\/staff\/fenetre-vote\.html$/);
      await adminPage.page.getByRole('heading', { level: 2, name: 'Changer la fenêtre de vote' }).waitFor();
      await axe(adminPage.page);
      for (const [label, outcome] of [
        ['Suspendre le vote', 'Le vote est suspendu.'],
        ['Reprendre le vote', 'Le vote est ouvert.'],
      ] as const) {
        await adminPage.page.getByLabel(label).check();
        await adminPage.page.getByLabel('Raison').fill('Contrôle du site pendant le vote (parcours d’essai)');
        await adminPage.page.getByRole('button', { name: 'Appliquer' }).click();
        await adminPage.page.locator('#vw-result').getByText(outcome).waitFor();
      }
      await axe(adminPage.page);
    } finally {
      await adminPage.context.close();
    }

    // Public turnout, during the vote.
    const visitor = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await visitor.page.goto(`${stack.siteUrl}/participation.html`);
      await visitor.page.getByRole('table').waitFor();
      await axe(visitor.page);
    } finally {
      await visitor.context.close();
    }
  });

  it('closes the vote by its schedule; the admin reviews and publishes; the public page shows the winners worked out by hand', {
    timeout: 180_000,
  }, async () => {
    await clockTo(stack, minutesAfter(calendar.voteClose, 2));
    await clockTo(stack, minutesAfter(calendar.resultsAt, 1));
    const expected = expectedNantesWinners();
    // By hand: A 4 votes (45 000 €), B 3 (30 000 €), C 2 (20 000 €) and G 2 (5 000 €), for 90 000 €. A fits
    // (45 000 € left), B fits (15 000 € left); C no longer fits (the greedy rule skips it) and G does, whichever
    // of the two tied comes first. So three winners: A, B and G.
    expect(expected).toEqual([
      { key: 'A', votes: 4 },
      { key: 'B', votes: 3 },
      { key: 'G', votes: 2 },
    ]);

    const { context, page } = await staffPage(staffAccount(stack, 'admin'));
    try {
      await page.getByRole('link', { name: 'Résultats du dépouillement' }).first().click();
      await page.waitForURL(/\/staff\/resultats\.html$/);
      await page.getByRole('region', { name: 'Nantes' }).waitFor();
      await axe(page);
      await page.getByLabel('Motif de la publication').fill('Résultats vérifiés par le Comité citoyen');
      await page.getByRole('button', { name: 'Publier les résultats' }).click();
      await page.getByRole('button', { name: 'Oui, publier maintenant' }).click();
      await page.getByText('Les résultats sont publiés').waitFor();
      await axe(page);
    } finally {
      await context.close();
    }

    const visitor = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await visitor.page.goto(`${stack.siteUrl}/resultats.html`);
      const nantes = visitor.page.getByRole('region', { name: 'Nantes' });
      await nantes.waitFor();
      await axe(visitor.page);
      const winners = nantes.locator('li.result.funded');
      const shown = await winners.evaluateAll((items) =>
        items.map((item) => ({
          title: item.querySelector('.result-title')?.textContent?.trim(),
          figures: item.querySelector('.result-figures')?.textContent?.replace(/\s+/g, ' ').trim(),
        })),
      );
      expect(shown.map((w) => w.title)).toEqual(expected.map((w) => (IDEAS[w.key] as IdeaDraft).title));
      expect(shown.map((w) => w.figures?.split(' voix')[0])).toEqual(expected.map((w) => String(w.votes)));
    } finally {
      await visitor.context.close();
    }
  });

  it('lets a voter check the receipt from the email, and a follower of a winner get the realisation email', {
    timeout: 180_000,
  }, async () => {
    // Alice's receipt, as her email gives it, checked on « Vérifier mon reçu ».
    const [receiptMail] = await mailsTo(stack, citizens.alice.email, 'votre code de reçu');
    expect(receiptMail?.body.text).toContain(aliceReceipt);
    const page = citizens.alice.page;
    await page.goto(`${stack.siteUrl}/recu.html`);
    await page.getByLabel('Code de reçu').fill(aliceReceipt);
    await page.getByRole('button', { name: 'Vérifier' }).click();
    await page.getByRole('status').filter({ hasText: 'Votre bulletin a été compté' }).waitFor();
    await axe(page);

    // Bruno follows A on « Suivi des projets ».
    const follower = await signIn(citizens.bruno);
    await follower.goto(`${stack.siteUrl}/suivi.html`);
    const item = follower
      .getByRole('listitem')
      .filter({ has: follower.getByRole('heading', { name: (IDEAS.A as IdeaDraft).title }) });
    await item.getByRole('button', { name: 'Suivre ce projet' }).click();
    await item.getByText('Vous suivez ce projet').waitFor();
    await axe(follower);

    // The coordination sets A to « Travaux en cours ».
    const coordinator = await staffPage(staffAccount(stack, 'coordinator'), PHONE_VIEWPORT);
    try {
      await coordinator.page.getByRole('link', { name: 'Suivi des projets lauréats' }).click();
      const card = coordinator.page.getByRole('article', { name: (IDEAS.A as IdeaDraft).title });
      await card.getByLabel('État de la réalisation').selectOption({ label: 'Travaux en cours' });
      await card.getByRole('button', { name: 'Enregistrer le suivi' }).click();
      await card
        .getByRole('status')
        .getByText(/Suivi enregistré pour .* : Travaux en cours\./)
        .waitFor();
      await axe(coordinator.page);
    } finally {
      await coordinator.context.close();
    }

    // Bruno's email; he stops following from the same page (citizens' project news carry no unsubscribe link).
    const [news] = await mailsTo(stack, citizens.bruno.email, (IDEAS.A as IdeaDraft).title);
    expect(normalizeSpaces(news?.body.text)).toContain('Travaux en cours');
    await follower.reload();
    await item.getByRole('button', { name: 'Ne plus suivre ce projet' }).click();
    await item.getByRole('button', { name: 'Suivre ce projet' }).waitFor();

    // The coordination's phase announcements carry an unsubscribe link: a coordinator follows it.
    const announcement = (await readMailbox(stack.mailboxUrl))
      .filter((mail) => mail.destination.to.some((to) => to.startsWith('coordination.bp@')))
      .map((mail) => siteLinks(stack, mail).find((link) => link.includes('/desabonnement.html?t=')))
      .find(Boolean);
    expect(announcement, 'an announcement with an unsubscribe link').toBeDefined();
    const reader = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await reader.page.goto(announcement as string);
      await reader.page.getByRole('heading', { level: 1, name: 'Se désabonner' }).waitFor();
      await axe(reader.page);
      await reader.page.getByRole('button', { name: 'Confirmer le désabonnement' }).click();
      await reader.page.getByText(/C’est fait : vous ne recevrez plus/).waitFor();
      await axe(reader.page);
    } finally {
      await reader.context.close();
    }

    // The admin finds the service's emails in the email log.
    const admin = await staffPage(staffAccount(stack, 'admin'));
    try {
      await admin.page.goto(`${stack.siteUrl}/staff/journal-courriels.html`);
      await admin.page
        .getByLabel('Destinataire (adresse électronique d’un agent)')
        .fill(staffAccount(stack, 'instructor').email);
      await admin.page.getByRole('button', { name: 'Rechercher' }).click();
      const instructorEmail = staffAccount(stack, 'instructor').email;
      const rows = admin.page.getByRole('table', { name: 'Courriels trouvés' }).locator('tbody tr');
      // The page may show the latest emails of everyone first: wait for the search's answer.
      await expect
        .poll(
          async () => {
            const texts = (await rows.allTextContents()).map(normalizeSpaces);
            return texts.length > 0 && texts.every((text) => text.includes(instructorEmail));
          },
          { timeout: 15_000 },
        )
        .toBe(true);
      // The assignments and the reminders the service got: one line each at least.
      expect(await rows.count()).toBeGreaterThanOrEqual(4 + 3);
      await axe(admin.page);
    } finally {
      await admin.context.close();
    }
  });
});
