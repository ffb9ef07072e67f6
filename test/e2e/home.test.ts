import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';

const stack = inject('stack');

interface EditionView {
  edition: { name: string; timeZone: string; budget: { total: number }; territories: { name: string }[] };
  phase: { current: string; label: string };
  calendar: { phase: string; label: string; at: string }[];
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function readEdition(): Promise<EditionView> {
  const response = await fetch(`${stack.siteUrl}/api/editions/${stack.edition}`);
  expect(response.status).toBe(200);
  return (await response.json()) as EditionView;
}

describe('public home page', () => {
  it('shows the edition name, the current phase, the calendar in French and the envelopes', async () => {
    // Prepare
    const view = await readEdition();
    const { context, page } = await openPage(browser);
    try {
      // Act
      await page.goto(stack.siteUrl);
      const phaseHeading = page.getByRole('heading', { level: 2, name: /^Phase en cours/ });
      await phaseHeading.waitFor();

      // Assess
      expect(normalizeSpaces(await page.getByRole('heading', { level: 1 }).textContent())).toBe(
        normalizeSpaces(view.edition.name),
      );
      expect(normalizeSpaces(await phaseHeading.textContent())).toBe(`Phase en cours : ${view.phase.label}`);
      const steps = page.locator('#calendar > li');
      expect(await steps.count()).toBe(view.calendar.length);
      const first = view.calendar[0];
      if (!first) throw new Error('The edition has no calendar');
      const frenchDate = new Intl.DateTimeFormat('fr-FR', {
        dateStyle: 'full',
        timeStyle: 'short',
        timeZone: view.edition.timeZone,
      }).format(new Date(first.at));
      expect(normalizeSpaces(await page.locator(`time[datetime="${first.at}"]`).first().textContent())).toBe(
        normalizeSpaces(frenchDate),
      );
      const euros = new Intl.NumberFormat('fr-FR', {
        style: 'currency',
        currency: 'EUR',
        maximumFractionDigits: 0,
      });
      expect(normalizeSpaces(await page.locator('#budget-total').textContent())).toBe(
        normalizeSpaces(euros.format(view.edition.budget.total)),
      );
      expect(await page.locator('#envelopes tbody tr').count()).toBeGreaterThanOrEqual(
        view.edition.territories.length,
      );
      expect(await page.getByRole('link', { name: 'Espace agents' }).count()).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });

  it('tells people in French when the API cannot answer', async () => {
    // Prepare
    const { context, page } = await openPage(browser);
    try {
      await page.route(/\/api\/editions\//, (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/problem+json',
          body: JSON.stringify({
            title: 'Service momentanément indisponible',
            status: 503,
            detail: 'Réessayez dans un instant.',
            code: 'unavailable',
          }),
        }),
      );

      // Act
      await page.goto(stack.siteUrl);

      // Assess
      const alert = page.getByRole('alert').filter({ hasText: 'Impossible d’afficher l’édition en cours' });
      await alert.waitFor();
      expect(normalizeSpaces(await alert.textContent())).toContain('Réessayez dans un instant.');
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });

  for (const [name, viewport] of [
    ['a desktop screen', { width: 1280, height: 800 }],
    ['a 360 px phone', PHONE_VIEWPORT],
  ] as const) {
    it(`has no accessibility violation on the home and sign-in pages, on ${name}`, async () => {
      // Prepare
      const { context, page } = await openPage(browser, { viewport });
      try {
        // Act + Assess: the home page, once loaded
        await page.goto(stack.siteUrl);
        await page.getByRole('heading', { level: 2, name: /^Phase en cours/ }).waitFor();
        await expectNoAxeViolations(page);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          viewport.width,
        );

        // the sign-in page, empty and then with its error messages shown
        await page.getByRole('link', { name: 'Espace agents' }).first().click();
        await page.getByRole('heading', { level: 1, name: 'Connexion à l’espace agents' }).waitFor();
        await expectNoAxeViolations(page);
        await page.getByRole('button', { name: 'Se connecter' }).click();
        await page.getByText('Saisissez votre adresse électronique.').waitFor();
        await expectNoAxeViolations(page);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
          viewport.width,
        );
      } finally {
        await context.close();
      }
    });
  }
});
