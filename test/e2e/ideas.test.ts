import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readMailbox } from '../../local/ses.ts';
import { api, eventually, movePhase, staffToken } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory } from '../support/citizens.ts';
import '../support/stack-context.ts';
import { typeStaffCredentials } from '../support/journey.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);

let browser: Browser;
let admin: string;

const setPhase = (to: string) => movePhase(stack, admin, to, `Essai des pages d’idées : passage en ${to}`);

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
      reason: 'Prolongation de l’appel à idées pour les essais des pages',
    },
  });
  expect(extended.status, JSON.stringify(extended.body)).toBe(200);
  expect((await api(stack, 'GET', `${editionPath}/ideas-window`)).body.open).toBe(true);
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

/** Signs in through the real staff sign-in page. */
async function signInStaff(page: Page, role: string): Promise<void> {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`No demo account with role ${role}`);
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
}

describe('idea pages', () => {
  it('lets a citizen propose an idea on a phone, a moderator publish it, and anyone find it by its commune, axe-clean on every page', {
    timeout: 120_000,
  }, async () => {
    // Prepare: a verified citizen of the Nantes territory, signed in in this tab.
    const citizen = await factory.create('nantes');
    const title = `Des bancs ombragés au square ${randomUUID().slice(0, 6)}`;
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(stack.siteUrl);
      await page.evaluate((token) => sessionStorage.setItem('bp.citizen.token', token), citizen.token);

      // Act 1: from the home page to the first step
      await page.getByRole('navigation').getByRole('link', { name: 'Proposer une idée' }).click();
      await page.getByRole('heading', { level: 2, name: /Étape 1 sur 3/ }).waitFor();
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Étape suivante' }).click();
      await page.locator('#commune-error').getByText('Choisissez la commune').waitFor();
      await page.getByLabel('Commune concernée').selectOption('44109');
      await page.getByRole('button', { name: 'Étape suivante' }).click();

      // Step 2; a reload keeps what was typed
      await page.getByRole('heading', { level: 2, name: /Étape 2 sur 3/ }).waitFor();
      await page.getByLabel('Thème', { exact: true }).selectOption('solidarites');
      await page.getByLabel('Titre', { exact: true }).fill(title);
      await page
        .getByLabel('Description', { exact: true })
        .fill(
          'Installer six bancs à l’ombre des tilleuls du square, pour que les anciens puissent s’y reposer.',
        );
      // The server draft follows the citizen to another browser (no localStorage there).
      await page.getByText('Brouillon enregistré sur ce navigateur et sur nos serveurs.').waitFor();
      const other = await openPage(browser, { viewport: PHONE_VIEWPORT });
      try {
        await other.page.goto(stack.siteUrl);
        await other.page.evaluate(
          (token) => sessionStorage.setItem('bp.citizen.token', token),
          citizen.token,
        );
        await other.page.goto(`${stack.siteUrl}/proposer.html`);
        await other.page.getByText('Nous avons retrouvé votre brouillon').waitFor();
        expect(await other.page.getByLabel('Titre', { exact: true }).inputValue()).toBe(title);
      } finally {
        await other.context.close();
      }
      await page.reload();
      await page.getByRole('heading', { level: 2, name: /Étape 2 sur 3/ }).waitFor();
      await page.getByText('Nous avons retrouvé votre brouillon').waitFor();
      expect(await page.getByLabel('Titre', { exact: true }).inputValue()).toBe(title);
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Étape suivante' }).click();

      // Step 3: a cost over the cap is explained next to the field, nothing typed is lost
      await page.getByRole('heading', { level: 2, name: /Étape 3 sur 3/ }).waitFor();
      await page.getByLabel('Coût estimé (en euros)').fill('900000');
      await page.getByRole('button', { name: 'Envoyer mon idée' }).click();
      expect(normalizeSpaces(await page.locator('#cost-error').textContent())).toMatch(/compris entre/);
      expect(await page.getByLabel('Coût estimé (en euros)').getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);
      await page.getByLabel('Coût estimé (en euros)').fill('12000');
      await page.getByLabel('Au nom d’une association').check();
      await page.getByLabel('Nom du collectif ou de l’association').fill('Les Amis du square');
      // The first answer is lost on the way back: the idea is stored, the page says the service is unreachable
      await page.route(
        '**/ideas',
        async (route) => {
          await route.fetch();
          await route.abort('connectionreset');
        },
        { times: 1 },
      );
      await page.getByRole('button', { name: 'Envoyer mon idée' }).click();
      await page.getByRole('alert').getByText('Le service est injoignable').waitFor();
      expect(await page.getByLabel('Titre', { exact: true }).inputValue()).toBe(title);
      // ...and the retry, with the draft's Idempotency-Key, gives the same idea rather than a second one
      await page.getByRole('button', { name: 'Envoyer mon idée' }).click();

      // Assess 1: sent, and listed in « Mes idées » as waiting for moderation
      await page.getByRole('heading', { name: 'Idée envoyée, merci !' }).waitFor();
      await expectNoAxeViolations(page);
      await page.getByRole('link', { name: 'Voir mes idées' }).click();
      const mine = page.locator('article').filter({ has: page.getByRole('heading', { name: title }) });
      await mine.getByText('Statut : En attente de modération').waitFor();
      await expectNoAxeViolations(page);
      const own = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: citizen.token });
      expect(own.body.items.filter((idea: { title: string }) => idea.title === title)).toHaveLength(1);
      expect(own.body.draft).toBeUndefined();
    } finally {
      await context.close();
    }

    // Act 2: a moderator publishes it from the queue
    const staff = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(staff.page, 'moderator');
      await staff.page.getByRole('link', { name: 'Modération des idées' }).click();
      const card = staff.page
        .locator('article')
        .filter({ has: staff.page.getByRole('heading', { name: title }) });
      await card.getByRole('button', { name: 'Enregistrer la décision' }).waitFor();
      await expectNoAxeViolations(staff.page);
      await card.getByLabel('Publier').check();
      await card.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await staff.page.getByText(`Décision enregistrée pour « ${title} »`).waitFor();
      await expectNoAxeViolations(staff.page);
    } finally {
      await staff.context.close();
    }

    // Assess 2: anyone finds it in the public list filtered by its commune, then reads it
    const visitor = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      const started = Date.now();
      // Browsing reads the static list (data/ideas.json), not the API.
      const apiListCalls: string[] = [];
      visitor.page.on('request', (request) => {
        if (/\/api\/editions\/[^/]+\/ideas\?/.test(request.url())) apiListCalls.push(request.url());
      });
      await visitor.page.goto(stack.siteUrl);
      // On a phone the links other than the phase's action are behind « Menu ».
      await visitor.page.getByRole('navigation').getByRole('button', { name: 'Menu' }).click();
      await visitor.page.getByRole('navigation').getByRole('link', { name: 'Les idées' }).click();
      await visitor.page.getByRole('heading', { level: 1, name: 'Les idées proposées' }).waitFor();
      await visitor.page.getByLabel('Territoire').selectOption('nantes');
      await visitor.page.getByLabel('Commune').selectOption('44109');
      await visitor.page.getByRole('button', { name: 'Afficher les idées' }).click();
      await visitor.page.waitForURL(/commune=44109/);
      await visitor.page.getByRole('link', { name: title }).waitFor();
      expect(normalizeSpaces(await visitor.page.locator('#ideas-fresh').textContent())).toMatch(
        /Liste mise à jour il y a \d+ (s|min)\./,
      );
      expect(apiListCalls).toEqual([]);
      expect(Date.now() - started).toBeLessThan(60_000);
      await expectNoAxeViolations(visitor.page);
      await visitor.page.getByRole('link', { name: title }).click();
      await visitor.page.getByRole('heading', { level: 1, name: title }).waitFor();
      expect(normalizeSpaces(await visitor.page.locator('#idea-facts').textContent())).toContain(
        'Les Amis du square',
      );
      await expectNoAxeViolations(visitor.page);
    } finally {
      await visitor.context.close();
    }

    // Assess 3: the author's acknowledgement and publication emails
    const subjects = await eventually(async () => {
      const mails = (await readMailbox(stack.mailboxUrl)).filter((mail) =>
        mail.destination.to.includes(citizen.email),
      );
      const found = mails.map((mail) => mail.subject);
      return found.some((subject) => subject.includes('bien reçu votre idée')) &&
        found.some((subject) => subject.includes('Votre idée est publiée'))
        ? found
        : undefined;
    }, 15_000);
    expect(subjects).toHaveLength(2);
  });

  it('lets a moderator ask for a change with a reason, the author edit the idea from « Mes idées », then withdraw it after a confirmation', {
    timeout: 120_000,
  }, async () => {
    // Prepare: an idea submitted through the API
    const citizen = await factory.create('nantes');
    const title = `Une boîte à livres ${randomUUID().slice(0, 6)}`;
    const submitted = await api(stack, 'POST', `${editionPath}/ideas`, {
      token: citizen.token,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        title,
        description: 'Une boîte à livres en bois près de l’arrêt de tram, entretenue par les voisins.',
        theme: 'culture-patrimoine',
        territory: 'nantes',
        commune: '44109',
        estimatedCost: 3000,
        proposer: { kind: 'individual' },
      },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);

    // Act 1: the moderator asks for a change; the reason is required
    const staff = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(staff.page, 'moderator');
      await staff.page.goto(`${stack.siteUrl}/staff/moderation.html`);
      const card = staff.page
        .locator('article')
        .filter({ has: staff.page.getByRole('heading', { name: title }) });
      await card.getByLabel('Demander une modification à l’auteur').check();
      await card.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await card.getByText('Indiquez le motif').waitFor();
      expect(await card.getByLabel('Motif').getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(staff.page);
      await card.getByLabel('Motif').fill('Précisez l’emplacement exact de la boîte, s’il vous plaît.');
      await card.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await staff.page.getByText(`Décision enregistrée pour « ${title} »`).waitFor();
    } finally {
      await staff.context.close();
    }

    // Act 2: the author reads the reason, edits the idea, then withdraws it
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(stack.siteUrl);
      await page.evaluate((token) => sessionStorage.setItem('bp.citizen.token', token), citizen.token);
      await page.goto(`${stack.siteUrl}/mes-idees.html`);
      const mine = page.locator('article').filter({ has: page.getByRole('heading', { name: title }) });
      await mine.getByText('Précisez l’emplacement exact').waitFor();
      await expectNoAxeViolations(page);
      await mine.getByRole('link', { name: 'Modifier' }).click();
      await page.getByRole('heading', { level: 1, name: 'Modifier mon idée' }).waitFor();
      await page.getByRole('button', { name: 'Étape suivante' }).click();
      const edited = `${title} (arrêt Commerce)`;
      await page.getByLabel('Titre', { exact: true }).fill(edited);
      await page.getByRole('button', { name: 'Étape suivante' }).click();
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Enregistrer les modifications' }).click();
      await page.getByRole('heading', { name: 'Modifications enregistrées' }).waitFor();
      await page.getByRole('link', { name: 'Voir mes idées' }).click();
      const again = page.locator('article').filter({ has: page.getByRole('heading', { name: edited }) });
      await again.getByText('Statut : En attente de modération').waitFor();
      await again.getByRole('button', { name: 'Retirer…' }).click();
      await again.getByRole('button', { name: 'Annuler' }).click();
      await again.getByRole('button', { name: 'Retirer…' }).click();
      await expectNoAxeViolations(page);
      await again.getByRole('button', { name: 'Oui, retirer cette idée' }).click();
      await page.getByText(`« ${edited} » est retirée.`).waitFor();
      await page
        .locator('article')
        .filter({ has: page.getByRole('heading', { name: edited }) })
        .getByText('Retirée par son auteur')
        .waitFor();
    } finally {
      await context.close();
    }
  });
});
