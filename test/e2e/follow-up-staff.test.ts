import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { api } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory } from '../support/citizens.ts';
import { typeStaffCredentials } from '../support/journey.ts';
import { castFirstProjects, closeAndPublish } from '../support/results.ts';
import { openVote } from '../support/voting.ts';

const stack = inject('stack');
const factory = await citizenFactory(stack);
const editionPath = `/api/editions/${stack.edition}`;

let browser: Browser;
/** The first winner of the Nantes envelope, once the results are published. */
let winner: { id: string; title: string };

/** Signs in through the real staff sign-in page, then follows the staff home's link to the follow-up page. */
async function openFollowUpAs(page: Page, role: string): Promise<void> {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`No demo account with role ${role}`);
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
  await page.getByRole('link', { name: 'Suivi des projets lauréats' }).click();
  await page.waitForURL(/\/staff\/suivi-projets\.html$/);
}

beforeAll(async () => {
  browser = await launchBrowser();
  // Prepare: a few ballots in Nantes, the vote closed, the results published (as test/e2e/results.test.ts)
  await openVote(stack, factory.documents);
  await castFirstProjects(stack, await factory.createMany('nantes', 5));
  await closeAndPublish(stack);
  const results = await api(stack, 'GET', `${editionPath}/results`);
  const nantes = results.body.envelopes.find((e: { id: string }) => e.id === 'nantes');
  winner = nantes.projects.find((p: { selected: boolean }) => p.selected);
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

describe('« Suivi des projets lauréats »: staff set each winner’s realisation', () => {
  it('lets a coordinator set a winner to « travaux en cours » with a milestone, shown on the public page', {
    timeout: 120_000,
  }, async () => {
    const staff = await openPage(browser, { viewport: PHONE_VIEWPORT });
    const inhabitant = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Prepare
      await openFollowUpAs(staff.page, 'coordinator');
      const card = staff.page.getByRole('article', { name: winner.title });
      await card.waitFor();
      expect(normalizeSpaces(await card.textContent())).toContain('État : À l’étude');
      await expectNoAxeViolations(staff.page);

      // Act
      await card.getByLabel('État de la réalisation').selectOption({ label: 'Travaux en cours' });
      const studies = card.getByRole('group', { name: 'Étape « Études »' });
      await studies.getByLabel('Date', { exact: true }).fill('2026-12-15');
      await studies.getByRole('checkbox', { name: 'Fait' }).check();
      const works = card.getByRole('group', { name: 'Étape « Travaux »' });
      await works.getByLabel('Date', { exact: true }).fill('2027-03-01');
      await card.getByRole('button', { name: 'Enregistrer le suivi' }).click();

      // Assess: a success status, the card's summary as the public sees it, no axe violation
      await card
        .getByRole('status')
        .getByText(/Suivi enregistré pour .* : Travaux en cours\./)
        .waitFor();
      const summary = normalizeSpaces(await card.textContent());
      expect(summary).toContain('État : Travaux en cours');
      expect(summary).toContain('Études : étape franchie le 15 décembre 2026');
      expect(summary).toContain('Travaux : date prévue : 1er mars 2027');
      await expectNoAxeViolations(staff.page);
      // Usable at 360 px: nothing wider than the phone's screen.
      expect(await staff.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

      await inhabitant.page.goto(`${stack.siteUrl}/suivi.html`);
      const item = inhabitant.page.locator(`#projet-${winner.id}`);
      await item.waitFor();
      const shown = normalizeSpaces(await item.textContent());
      expect(shown).toContain('Travaux en cours');
      expect(shown).toContain('Études : étape franchie le 15 décembre 2026');
      expect(shown).toContain('Travaux : date prévue : 1er mars 2027');
    } finally {
      await staff.context.close();
      await inhabitant.context.close();
    }
  });

  it('shows French errors next to the fields, focused, and saves nothing', { timeout: 120_000 }, async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Prepare
      await openFollowUpAs(page, 'coordinator');
      const card = page.getByRole('article', { name: winner.title });
      await card.waitFor();
      const before = await api(stack, 'GET', `${editionPath}/realisations`);

      // Act: abandoned without a reason, a milestone marked done without a date
      await card.getByLabel('État de la réalisation').selectOption({ label: 'Abandonné' });
      const delivery = card.getByRole('group', { name: 'Étape « Livraison »' });
      await delivery.getByRole('checkbox', { name: 'Fait' }).check();
      await card.getByRole('button', { name: 'Enregistrer le suivi' }).click();

      // Assess
      const reason = card.getByLabel('Raison ou précision publique');
      await card.getByText('Indiquez pourquoi le projet est abandonné (5 caractères au moins)').waitFor();
      expect(await reason.getAttribute('aria-invalid')).toBe('true');
      expect(await reason.evaluate((element) => element === document.activeElement)).toBe(true);
      await delivery.getByText('Indiquez la date à laquelle l’étape « Livraison » a été franchie').waitFor();
      expect(await delivery.getByLabel('Date', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);
      const after = await api(stack, 'GET', `${editionPath}/realisations`);
      expect(after.body).toEqual(before.body);

      // Act: the keyboard alone fixes the form and saves it
      await reason.focus();
      await page.keyboard.type('Le terrain n’est plus disponible.');
      await delivery.getByRole('checkbox', { name: 'Fait' }).focus();
      await page.keyboard.press('Space');
      await card.getByRole('button', { name: 'Enregistrer le suivi' }).focus();
      await page.keyboard.press('Enter');

      // Assess
      await card
        .getByRole('status')
        .getByText(/Suivi enregistré pour .* : Abandonné\./)
        .waitFor();
      expect(normalizeSpaces(await card.textContent())).toContain(
        'Raison : Le terrain n’est plus disponible.',
      );
      expect(await reason.getAttribute('aria-invalid')).toBeNull();
    } finally {
      await context.close();
    }
  });

  it('shows the API’s own refusal (problem+json) next to the fields it names', {
    timeout: 120_000,
  }, async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Prepare: the request leaves the browser valid and is spoilt on the way, so the real API refuses it
      await openFollowUpAs(page, 'coordinator');
      const card = page.getByRole('article', { name: winner.title });
      await card.waitFor();
      await page.route('**/staff/projects/*/realisation', async (route) => {
        const body = JSON.parse(route.request().postData() ?? '{}');
        await route.continue({
          postData: JSON.stringify({
            ...body,
            reason: 'non',
            milestones: body.milestones.map((m: { kind: string }) =>
              m.kind === 'travaux' ? { ...m, date: '2027-02-30' } : m,
            ),
          }),
        });
      });

      // Act
      await card.getByLabel('État de la réalisation').selectOption({ label: 'Abandonné' });
      await card.getByLabel('Raison ou précision publique').fill('Le terrain n’est plus disponible.');
      const works = card.getByRole('group', { name: 'Étape « Travaux »' });
      await works.getByLabel('Date', { exact: true }).fill('2027-02-27');
      await card.getByRole('button', { name: 'Enregistrer le suivi' }).click();

      // Assess: a summary in the form's alert, each message next to its field, the first field focused
      await card.getByRole('alert').getByText(/\S/).first().waitFor();
      const reason = card.getByLabel('Raison ou précision publique');
      await card.getByText('Indiquez pourquoi le projet est abandonné (5 caractères au moins)').waitFor();
      expect(await reason.getAttribute('aria-invalid')).toBe('true');
      expect(await works.getByLabel('Date', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(normalizeSpaces(await works.locator('.field-error').textContent())).not.toBe('');
      expect(await card.getByRole('status').textContent()).toBe('');
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });

  it('shows the follow-up read-only to the citizens’ committee', async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Act
      await openFollowUpAs(page, 'committee');
      const card = page.getByRole('article', { name: winner.title });
      await card.waitFor();
      // Assess
      await page.getByText('Lecture seule : le suivi des projets relève de la coordination').waitFor();
      expect(await page.getByRole('button', { name: 'Enregistrer le suivi' }).count()).toBe(0);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });
});
