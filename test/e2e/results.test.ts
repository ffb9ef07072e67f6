import type { Browser } from 'playwright-core';
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
import { castFirstProjects, closeAndPublish } from '../support/results.ts';
import { openVote } from '../support/voting.ts';

const stack = inject('stack');
const factory = await citizenFactory(stack);

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

describe('« Résultats »: winners per envelope, support bars, explanations, open data', () => {
  it('says the results are not published yet, then shows them once an admin has published', async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Before publication: the page says so
      await page.goto(`${stack.siteUrl}/resultats.html`);
      await page
        .getByRole('alert')
        .getByText(/Résultats non publiés/)
        .waitFor();

      // Prepare: a few ballots in Nantes, the vote closed, the results published
      await openVote(stack, factory.documents);
      await castFirstProjects(stack, await factory.createMany('nantes', 5));
      await closeAndPublish(stack);

      // Act
      await page.goto(`${stack.siteUrl}/resultats.html`);
      const nantes = page.getByRole('region', { name: 'Nantes' });
      await nantes.waitFor();
      // Assess
      await page.getByRole('heading', { level: 2, name: 'Comment les lauréats ont été choisis' }).waitFor();
      expect(normalizeSpaces(await page.locator('#rule-description').textContent())).toContain('départage');
      expect(await nantes.getByText('Lauréat', { exact: true }).count()).toBeGreaterThan(0);
      expect(normalizeSpaces(await nantes.locator('.funded-line').textContent())).toContain(
        'Ligne de financement',
      );
      expect(await page.getByRole('link', { name: 'ballots-nantes.pb' }).count()).toBe(1);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });

  it('shows each winner’s realisation and lets a signed-in inhabitant follow it', async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Prepare: results published by the test above; a coordinator dates the first winner's studies
      const editionPath = `/api/editions/${stack.edition}`;
      const results = await api(stack, 'GET', `${editionPath}/results`);
      const nantesResults = results.body.envelopes.find((e: { id: string }) => e.id === 'nantes');
      const winner = nantesResults.projects.find((p: { selected: boolean }) => p.selected);
      const updated = await api(stack, 'PUT', `${editionPath}/staff/projects/${winner.id}/realisation`, {
        token: await staffToken(stack, 'coordinator'),
        body: { status: 'travaux', milestones: [{ kind: 'etudes', date: '2026-12-15', done: true }] },
      });
      expect(updated.status, JSON.stringify(updated.body)).toBe(200);
      const citizen = await factory.create('nantes');
      await page.goto(`${stack.siteUrl}/suivi.html`);
      await page.evaluate((token) => sessionStorage.setItem('bp.citizen.token', token), citizen.token);

      // Act
      await page.goto(`${stack.siteUrl}/suivi.html`);
      const item = page.locator(`#projet-${winner.id}`);
      await item.waitFor();
      // Assess
      expect(normalizeSpaces(await item.textContent())).toContain('Travaux en cours');
      expect(normalizeSpaces(await item.textContent())).toContain(
        'Études : étape franchie le 15 décembre 2026',
      );
      await expectNoAxeViolations(page);
      await item.getByRole('button', { name: 'Suivre ce projet' }).click();
      await item.getByRole('button', { name: 'Ne plus suivre ce projet' }).waitFor();
      const mine = await api(stack, 'GET', `${editionPath}/me/results-news`, { token: citizen.token });
      expect(mine.body.following).toEqual([winner.id]);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });
});
