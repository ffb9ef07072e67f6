import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { buildLivedInDemo, type DemoSummary } from '../../local/demo/lived-in.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { api } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { DESKTOP_VIEWPORT } from '../support/journey.ts';

/**
 * The lived-in demo (local/demo/lived-in.ts), at a smaller scale than `npm start -- --at follow-up` but built by
 * the same generator through the same API, clock and schedules: the public pages a newcomer sees first, checked
 * for facts the generator caused, with axe at both widths, and photographed. `npm run screenshots` runs this file
 * with BP_SCREENSHOTS_DIR=docs/images to refresh the README's images.
 */
const stack = inject('stack');
const parsed = await readEditionFile(`editions/${stack.edition}.json`);
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const { config } = parsed;
const screenshotsDir = process.env.BP_SCREENSHOTS_DIR ? resolve(process.env.BP_SCREENSHOTS_DIR) : undefined;

let browser: Browser;
let demo: DemoSummary;
interface PublicEnvelope {
  id: string;
  budget: number;
  projects: { title: string; cost: number; selected: boolean; explanation: string }[];
}
let published: PublicEnvelope[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** axe at a desktop width and at 360 px, and a screenshot at each (written when asked for). */
async function checkAndPhotograph(page: Page, name: string): Promise<void> {
  for (const [width, viewport] of [
    ['desktop', DESKTOP_VIEWPORT],
    ['phone', PHONE_VIEWPORT],
  ] as const) {
    await page.setViewportSize(viewport);
    await expectNoAxeViolations(page);
    const png = await page.screenshot({ fullPage: false });
    // A PNG of the viewport, not an empty answer.
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(5_000);
    if (screenshotsDir) await writeFile(join(screenshotsDir, `${name}-${width}.png`), png);
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
    PHONE_VIEWPORT.width,
  );
}

describe('the lived-in demo edition', () => {
  it('is built through the API up to the follow-up of the winners', { timeout: 1_800_000 }, async () => {
    if (screenshotsDir) await mkdir(screenshotsDir, { recursive: true });
    demo = await buildLivedInDemo(stack, config, {
      at: 'follow-up',
      seed: 2023,
      scale: { ideas: 90, ballots: 150, paperShare: 0.08 },
      concurrency: 4,
    });
    const count = (status: string) => demo.ideas.filter((idea) => idea.status === status).length;
    expect(demo.ideas.length).toBe(90);
    // Moderation outcomes of every kind, instruction outcomes with reasons.
    expect(count('published')).toBeGreaterThan(60);
    expect(count('hidden')).toBeGreaterThan(0);
    expect(count('merged') + count('changes-requested')).toBeGreaterThan(0);
    expect(new Set(demo.ideas.map((idea) => idea.theme)).size).toBe(config.themes.length);
    expect(new Set(demo.ideas.map((idea) => idea.envelope)).size).toBe(config.territories.length + 1);
    expect(
      demo.ideas.some((idea) => idea.verdict === 'not-feasible' || idea.verdict === 'not-admissible'),
    ).toBe(true);
    expect(demo.ballots.paper).toBeGreaterThan(0);
    expect(demo.ballots.online + demo.ballots.paper).toBe(150);

    // The published results say the same as the generator: every envelope's demand exceeds its budget.
    const results = await api(stack, 'GET', `/api/editions/${stack.edition}/results`);
    expect(results.status).toBe(200);
    published = results.body.envelopes;
    for (const envelope of published) {
      const demand = envelope.projects.reduce((sum, project) => sum + project.cost, 0);
      expect(demand, envelope.id).toBeGreaterThan(envelope.budget);
      expect(demand).toBe(demo.envelopes.find((e) => e.id === envelope.id)?.demand);
    }
    const turnout = await api(stack, 'GET', `/api/editions/${stack.edition}/turnout`);
    expect(turnout.body.total).toBe(demo.ballots.online + demo.ballots.paper);
  });

  it('shows its home, an idea, the results and the turnout, accessible at both widths', {
    timeout: 300_000,
  }, async () => {
    const { context, page } = await openPage(browser, { viewport: DESKTOP_VIEWPORT });
    try {
      await page.goto(`${stack.siteUrl}/`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForLoadState('networkidle');
      expect(normalizeSpaces(await page.locator('main').textContent())).toContain('Résultats');
      await checkAndPhotograph(page, 'home');

      // A retained idea of Nantes: its page shows its title and its commune.
      const idea = demo.ideas.find((i) => i.verdict === 'retained' && i.envelope === 'nantes');
      expect(idea).toBeDefined();
      await page.goto(`${stack.siteUrl}/idee.html?id=${idea?.id}`);
      await page.getByRole('heading', { level: 1, name: idea?.title }).waitFor();
      await page.waitForLoadState('networkidle');
      await checkAndPhotograph(page, 'idea');

      // The results: in Nantes, demand above the budget, and a project not funded with its explanation.
      await page.goto(`${stack.siteUrl}/resultats.html`);
      const nantes = page.getByRole('region', { name: 'Nantes' });
      await nantes.waitFor();
      await page.waitForLoadState('networkidle');
      const notFunded = nantes.locator('li.result:not(.funded)').first();
      await notFunded.waitFor();
      expect(normalizeSpaces(await notFunded.textContent())).toContain('Non retenu');
      expect(
        normalizeSpaces(await notFunded.locator('.result-explanation').textContent()).length,
      ).toBeGreaterThan(20);
      expect(await nantes.locator('li.result.funded').count()).toBeGreaterThan(0);
      await checkAndPhotograph(page, 'results');

      // The turnout: the ballots the generator cast, online and on paper.
      await page.goto(`${stack.siteUrl}/participation.html`);
      await page.getByRole('table').waitFor();
      const total = demo.ballots.online + demo.ballots.paper;
      expect(normalizeSpaces(await page.locator('main').textContent())).toContain(
        `${total} personnes ont voté`,
      );
      await checkAndPhotograph(page, 'turnout');
    } finally {
      await context.close();
    }
  });
});
