import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { api, eventually } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { closeAndPublish } from '../support/results.ts';
import { openVote } from '../support/voting.ts';

const stack = inject('stack');
const factory = await citizenFactory(stack);
const editionPath = `/api/editions/${stack.edition}`;
const WIDTHS = [
  ['desktop', { width: 1280, height: 900 }],
  ['360 px', PHONE_VIEWPORT],
] as const;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

/** French figures use narrow no-break spaces: compare on plain ones. */
const text = async (page: Page, selector: string) =>
  normalizeSpaces(await page.locator(selector).first().textContent());
const fr = (n: number) => new Intl.NumberFormat('fr-FR').format(n).replace(/\s/g, ' ');

/** Support per project id, counted here from the ballots this file casts. */
const support = new Map<string, number>();

/**
 * Each voter approves the first three projects of their territory's envelope (by id) and one more, turn by
 * turn, so that the projects end with different support.
 */
async function castVaried(voters: SeededCitizen[]): Promise<void> {
  for (const [i, voter] of voters.entries()) {
    const ballot = await api(stack, 'GET', `${editionPath}/ballot`, { token: voter.token });
    const envelope = (ballot.body.envelopes as { id: string; projects: { id: string }[] }[]).find(
      (e) => e.id === voter.territory,
    );
    if (!envelope) throw new Error(`No envelope ${voter.territory} on the ballot`);
    const ids = envelope.projects.map((p) => p.id).sort();
    const choice = [...ids.slice(0, 3), ids[3 + (i % (ids.length - 3))] ?? ''];
    const response = await api(stack, 'POST', `${editionPath}/ballots`, {
      token: voter.token,
      body: { choices: { [envelope.id]: choice } },
      headers: { 'idempotency-key': randomUUID() },
    });
    if (response.status !== 201) throw new Error(`Ballot refused: ${JSON.stringify(response.body)}`);
    for (const id of choice) support.set(id, (support.get(id) ?? 0) + 1);
  }
}

/** The voters cast by this file, per territory. */
const VOTERS = { nantes: 7, vignoble: 3, 'saint-nazaire': 2 } as const;

describe('the public face in pictures: home stepper, turnout chart and map, results charts', () => {
  it('shows the phase as a stepper with one call to action, the same as the header’s', async () => {
    await openVote(stack, factory.documents);
    for (const [, viewport] of WIDTHS) {
      const { context, page } = await openPage(browser, { viewport });
      try {
        await page.goto(stack.siteUrl);
        await page.locator('#phase-action a').waitFor();

        expect(await text(page, '#stepper-state')).toBe('Étape 4 sur 6');
        expect(await page.locator('#stepper-steps > span.is-done').count()).toBe(3);
        expect(await page.locator('#stepper-steps > span.is-current').count()).toBe(1);
        expect(await page.locator('#calendar > li[aria-current="step"]').textContent()).toContain('Vote');
        const cta = page.locator('#phase-action').getByRole('link', { name: 'Voter', exact: true });
        expect(await cta.getAttribute('href')).toBe('vote.html');
        expect(await cta.isVisible()).toBe(true);
        const navAction = page.locator('#site-nav a.nav-action');
        await navAction.waitFor();
        expect(normalizeSpaces(await navAction.textContent())).toBe('Voter');
        await expectNoAxeViolations(page);
      } finally {
        await context.close();
      }
    }
  });

  it('draws turnout per territory as bars and as a tile map, with the table’s figures', async () => {
    for (const [territory, count] of Object.entries(VOTERS))
      await castVaried(await factory.createMany(territory, count));
    const total = Object.values(VOTERS).reduce((a, b) => a + b, 0);
    // The public turnout is refreshed at most once a minute: wait for this file's ballots to show.
    await eventually(async () => {
      const response = await api(stack, 'GET', `${editionPath}/turnout`);
      return response.body.total === total ? response : undefined;
    }, 75_000);
    const edition = (await api(stack, 'GET', editionPath)).body.edition as {
      territories: { id: string; name: string; tile: { row: number; col: number } }[];
    };

    for (const [, viewport] of WIDTHS) {
      const { context, page } = await openPage(browser, { viewport });
      try {
        await page.goto(`${stack.siteUrl}/participation.html`);
        await page.locator('#turnout-map svg').waitFor();

        expect(await text(page, '#turnout-total')).toBe(`${total} personnes ont voté.`);
        const bars = page.getByRole('img', { name: 'Participation par territoire', exact: true });
        const barsDesc = normalizeSpaces(await bars.locator('desc').textContent());
        const map = page.getByRole('img', { name: 'Carte de la participation par territoire', exact: true });
        const mapDesc = normalizeSpaces(await map.locator('desc').textContent());
        for (const territory of edition.territories) {
          const voters = VOTERS[territory.id as keyof typeof VOTERS] ?? 0;
          const row = page.locator('#turnout-rows tr').filter({ hasText: territory.name });
          expect(normalizeSpaces(await row.locator('td').last().textContent())).toBe(fr(voters));
          expect(barsDesc).toContain(
            `${territory.name} : ${voters} votants (${voters} en ligne, 0 sur papier).`,
          );
          expect(mapDesc).toContain(
            `${territory.name} (ligne ${territory.tile.row + 1}, colonne ${territory.tile.col + 1}) : ${voters} votants.`,
          );
          const tile = map.locator(`g.tile[data-territory="${territory.id}"]`);
          expect(normalizeSpaces(await tile.textContent())).toContain(`${voters} votants`);
        }
        // Nantes has the most voters: the darkest class; a territory without voters the lightest.
        expect(await map.locator('g.tile[data-territory="nantes"] rect').getAttribute('fill')).toBe(
          '#163f66',
        );
        expect(await map.locator('g.tile[data-territory="pays-de-retz"] rect').getAttribute('fill')).toBe(
          '#e8f1f8',
        );
        // The chart fits the page at 360 px: nothing scrolls sideways.
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(
          true,
        );
        await expectNoAxeViolations(page);
      } finally {
        await context.close();
      }
    }
  }, 150_000);

  it('charts each envelope’s support with the funding line and the budget used, beside its table', async () => {
    // (Not again on a retry: the results once published, the vote cannot be closed a second time.)
    if ((await api(stack, 'GET', `${editionPath}/results`)).status !== 200) await closeAndPublish(stack);
    const view = (await api(stack, 'GET', editionPath)).body as {
      phase: { current: string };
      calendar: { phase: string }[];
    };
    const step = view.calendar.findIndex((s) => s.phase === view.phase.current) + 1;
    const results = (await api(stack, 'GET', `${editionPath}/results`)).body as {
      envelopes: {
        id: string;
        name: string;
        budget: number;
        spent: number;
        projects: { id: string; title: string; support: number; selected: boolean }[];
      }[];
    };
    const nantes = results.envelopes.find((e) => e.id === 'nantes');
    if (!nantes) throw new Error('No Nantes envelope in the results');
    const euros = (n: number) =>
      new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 })
        .format(n)
        .replace(/\s/g, ' ');

    for (const [, viewport] of WIDTHS) {
      const { context, page } = await openPage(browser, { viewport });
      try {
        await page.goto(`${stack.siteUrl}/resultats.html`);
        const region = page.getByRole('region', { name: 'Nantes', exact: true });
        const chart = region.getByRole('img', { name: 'Soutien par projet, enveloppe Nantes' });
        await chart.waitFor();
        const desc = normalizeSpaces(await chart.locator('desc').textContent());
        const rows = region.locator('table.results-table tbody tr:not(.funding-line-row)');
        expect(await rows.count()).toBe(nantes.projects.length);
        for (const [i, project] of nantes.projects.entries()) {
          // The figures are the ones this file cast, in the chart and in the table.
          expect(project.support).toBe(support.get(project.id) ?? 0);
          const cells = (await rows.nth(i).locator('th, td').allTextContents()).map(normalizeSpaces);
          expect(cells).toEqual([
            project.title,
            fr(project.support),
            expect.stringMatching(/€$/),
            project.selected ? 'Lauréat' : 'Non retenu',
          ]);
          expect(desc).toContain(`${i + 1}. ${project.title} : ${fr(project.support)} voix`);
          expect(desc).toContain(project.selected ? 'lauréat.' : 'non retenu.');
        }
        const funded = nantes.projects.filter((p) => p.selected).length;
        expect(await chart.locator('g.chart-row.is-funded').count()).toBe(funded);
        const lastFunded = nantes.projects.map((p) => p.selected).lastIndexOf(true);
        expect(desc).toContain(`La ligne de financement passe sous le projet ${lastFunded + 1}.`);
        expect(await chart.locator('g.chart-funding-line').count()).toBe(1);
        expect(normalizeSpaces(await chart.locator('g.chart-gauge text').textContent())).toContain(
          `Budget engagé : ${euros(nantes.spent)} sur ${euros(nantes.budget)}`,
        );
        expect(normalizeSpaces(await region.locator('tr.funding-line-row').textContent())).toBe(
          `Ligne de financement : ${euros(nantes.spent)} engagés sur ${euros(nantes.budget)}`,
        );
        // One chart and one table per envelope.
        expect(await page.locator('#envelopes svg[role="img"]').count()).toBe(results.envelopes.length);
        expect(await page.locator('#envelopes table.results-table').count()).toBe(results.envelopes.length);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(
          true,
        );
        await expectNoAxeViolations(page);

        // The home page now points to the results, as the header does.
        await page.goto(stack.siteUrl);
        const cta = page
          .locator('#phase-action')
          .getByRole('link', { name: 'Voir les résultats', exact: true });
        await cta.waitFor();
        expect(await cta.getAttribute('href')).toBe('resultats.html');
        expect(await text(page, '#stepper-state')).toBe(`Étape ${step} sur ${view.calendar.length}`);
        await expectNoAxeViolations(page);
      } finally {
        await context.close();
      }
    }
  }, 120_000);
});
