import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { api, staffToken } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory } from '../support/citizens.ts';
import { seedIdea } from '../support/idea-seeds.ts';
import { typeStaffCredentials } from '../support/journey.ts';

const stack = inject('stack');
const factory = await citizenFactory(stack);
const editionPath = `/api/editions/${stack.edition}`;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  // Prepare: an idea waiting for moderation, so the moderator's count is not zero.
  const [author] = await factory.createMany('nantes', 1);
  await seedIdea(stack, factory.documents, {
    authorId: author?.citizenId ?? 'citizen-home',
    status: 'submitted',
    title: 'Des bancs le long de l’Erdre',
    territory: 'nantes',
    theme: 'culture-patrimoine',
  });
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

/** Signs in through the real staff sign-in page; records every API answer the home gets. */
async function signInAs(page: Page, role: string): Promise<{ status: number; url: string }[]> {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`No demo account with role ${role}`);
  const answers: { status: number; url: string }[] = [];
  page.on('response', (response) => {
    if (response.url().includes('/api/')) answers.push({ status: response.status(), url: response.url() });
  });
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
  return answers;
}

/** The home once every task has its count (no « Chargement… » left) and the phase is shown. */
async function loadedHome(page: Page): Promise<string> {
  await page.getByRole('heading', { name: 'À faire maintenant' }).waitFor();
  await page.locator('#phase-section').waitFor();
  await page.waitForFunction(() => !document.querySelector('#bo-tasks .loading, #bo-status .loading'));
  return normalizeSpaces(await page.locator('main').textContent());
}

/** What each role must find on its home: the headings of its tasks. */
const EXPECTED: Record<string, string[]> = {
  moderator: ['Modération des idées'],
  instructor: ['Instruction : dossiers de votre service'],
  coordinator: ['Instruction : affectations et verdicts', 'Vérifications d’identité', 'Bulletins papier'],
  committee: ['Liste des projets soumis au vote'],
  elected: ['Résultats du vote'],
  admin: ['Résultats du vote'],
  ops: [],
};

describe('Staff home: every role opens on what it has to do, with no error', () => {
  for (const [role, headings] of Object.entries(EXPECTED)) {
    it(`shows the ${role} its tasks, no refusal, no error, at desktop and 360 px`, {
      timeout: 90_000,
    }, async () => {
      for (const viewport of [{ width: 1280, height: 900 }, PHONE_VIEWPORT]) {
        const { context, page } = await openPage(browser, { viewport });
        try {
          // Act
          const answers = await signInAs(page, role);
          const text = await loadedHome(page);

          // Assess: its tasks, and nothing else's; no refused or failed call; no error on the page
          for (const heading of headings) {
            await expect(page.getByRole('heading', { name: heading, level: 3 }).isVisible()).resolves.toBe(
              true,
            );
          }
          const shown = await page.locator('#bo-tasks h3').allTextContents();
          expect(shown.map(normalizeSpaces)).toEqual(headings.map(normalizeSpaces));
          if (role === 'ops') expect(text).toContain('Aucun traitement ne vous revient');
          // The menu offers only the pages the role may open
          const menu = (await page.locator('.site-header nav a').allTextContents()).map(normalizeSpaces);
          if (role === 'moderator') {
            expect(menu).toContain('Modération des idées');
            expect(menu).not.toContain('Identités (coordination)');
            expect(menu).not.toContain('Journal des courriels');
          }
          if (role === 'coordinator') expect(menu).toContain('Identités (coordination)');
          expect(answers.filter((answer) => answer.status === 403 || answer.status >= 500)).toEqual([]);
          expect(normalizeSpaces(await page.locator('#bo-error').textContent())).toBe('');
          expect(text).not.toContain('Une erreur inattendue');
          expect(text).not.toContain('Accès refusé');
          expect(text).not.toContain('n’a pas pu être chargé');
          await expectNoAxeViolations(page);
        } finally {
          await context.close();
        }
      }
    });
  }

  it('counts what the API counts: ideas waiting for the moderator, reviews for the coordinator', {
    timeout: 90_000,
  }, async () => {
    // Prepare: the numbers as each role's API gives them
    const moderator = await staffToken(stack, 'moderator');
    const coordinator = await staffToken(stack, 'coordinator');
    const queue = await api(stack, 'GET', `${editionPath}/staff/moderation?status=submitted`, {
      token: moderator,
    });
    const reviews = await api(stack, 'GET', `${editionPath}/staff/identity/reviews`, { token: coordinator });
    expect(queue.status).toBe(200);
    expect(queue.body.total).toBeGreaterThan(0);

    const moderatorPage = await openPage(browser);
    const coordinatorPage = await openPage(browser);
    try {
      // Act
      await signInAs(moderatorPage.page, 'moderator');
      await loadedHome(moderatorPage.page);
      await signInAs(coordinatorPage.page, 'coordinator');
      await loadedHome(coordinatorPage.page);

      // Assess
      const moderation = normalizeSpaces(await moderatorPage.page.locator('#task-moderation').textContent());
      expect(moderation).toContain(
        queue.body.total === 1
          ? '1 idée déposée attend votre modération'
          : `${queue.body.total} idées déposées attendent`,
      );
      await expect(
        moderatorPage.page
          .locator('#task-moderation')
          .getByRole('link', { name: 'Modérer les idées' })
          .isVisible(),
      ).resolves.toBe(true);
      const identity = normalizeSpaces(
        await coordinatorPage.page.locator('#task-identity-reviews').textContent(),
      );
      expect(identity).toContain(
        reviews.body.reviews.length === 0
          ? 'Aucun doublon possible'
          : `${reviews.body.reviews.length} doublon`,
      );
    } finally {
      await moderatorPage.context.close();
      await coordinatorPage.context.close();
    }
  });
});
