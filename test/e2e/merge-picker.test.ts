import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { movePhase, staffToken } from '../support/api.ts';
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
/** A word no other test's idea has: the search finds this file's ideas only. */
const word = `zq${Date.now().toString(36)}`;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/;

let browser: Browser;
let admin: string;

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await staffToken(stack, 'admin');
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

async function signInStaff(page: Page, role: string): Promise<void> {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`No demo account with role ${role}`);
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
}

async function idea(status: 'submitted' | 'published', title: string): Promise<string> {
  const [author] = await factory.createMany('nantes', 1);
  return seedIdea(stack, factory.documents, {
    authorId: author?.citizenId ?? `citizen-${word}`,
    status,
    title,
    territory: 'nantes',
    theme: 'environnement-biodiversite',
  });
}

describe('Merging ideas: the target is picked by its title, never typed as an identifier', () => {
  it('lets a moderator merge a duplicate into the idea found by title, and the history says who in French', {
    timeout: 120_000,
  }, async () => {
    // Prepare: a published idea and a duplicate waiting for moderation
    const target = `Un composteur collectif square ${word}`;
    const other = `Des nichoirs à mésanges square ${word}`;
    const duplicate = `Compost partagé au square ${word}`;
    await idea('published', target);
    await idea('published', other);
    await idea('submitted', duplicate);
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(page, 'moderator');
      await page.getByRole('link', { name: 'Modérer les idées' }).click();
      const card = page.locator('article').filter({ has: page.getByRole('heading', { name: duplicate }) });
      await card.waitFor();

      // Act: merge, search « composteur », pick the title
      await card.getByLabel('Regrouper dans une autre idée (doublon)').check();
      await card.getByLabel('Idée qui regroupe : rechercher par titre').fill(`composteur ${word}`);
      await card.getByText('1 idée correspond').waitFor();
      const list = card.getByLabel('Idée qui regroupe', { exact: true });
      const offered = (await list.locator('option').allTextContents()).map(normalizeSpaces);
      expect(offered).toEqual(['Choisissez l’idée qui regroupe', `${target} (Nantes)`]);
      await expectNoAxeViolations(page);
      await list.selectOption({ label: `${target} (Nantes)` });
      await card.getByLabel('Motif').fill('Même idée que le composteur déjà publié.');
      await card.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await page.getByText(`Décision enregistrée pour « ${duplicate} »`).waitFor();

      // Assess: in the « merged » queue, the history reads in French, by role, with no identifier
      await page.getByLabel('Idées à afficher').selectOption({ label: 'Regroupée avec une autre idée' });
      await page.getByRole('button', { name: 'Afficher' }).click();
      const merged = page.locator('article').filter({ has: page.getByRole('heading', { name: duplicate }) });
      await merged.getByText('Historique (qui, quand, pourquoi)').click();
      const history = merged.locator('ol.history');
      await history.waitFor();
      const text = normalizeSpaces(await history.textContent());
      expect(text).toContain('Regroupée dans une autre idée');
      expect(text).toContain('Modération');
      expect(text).toContain('Motif : Même idée que le composteur déjà publié.');
      expect(text).not.toMatch(UUID);
      expect(text).not.toContain('moderator');
      expect(text).not.toMatch(/\bmerge\b/);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });

  it('lets the coordination pronounce « regroupée » on a dossier by picking the other idea by title', {
    timeout: 120_000,
  }, async () => {
    // Prepare: two published ideas, the instruction phase
    await movePhase(stack, admin, 'instruction', 'Essai des regroupements : instruction');
    const kept = `Une fontaine à eau place ${word}`;
    const folded = `Point d’eau potable place ${word}`;
    await idea('published', kept);
    const foldedId = await idea('published', folded);
    const { context, page } = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    try {
      await signInStaff(page, 'coordinator');
      await page.goto(`${stack.siteUrl}/staff/dossier.html?id=${foldedId}`);
      await page.getByRole('heading', { level: 1, name: folded }).waitFor();
      const form = page.getByRole('form', { name: 'Prononcer le verdict consolidé' });

      // Act
      await form.getByLabel('Regroupée avec une autre idée').check();
      expect(await form.getByLabel(/Identifiant/).count()).toBe(0);
      await form.getByLabel('Idée qui regroupe : rechercher par titre').fill(`fontaine ${word}`);
      await form.getByText('1 idée correspond').waitFor();
      await form.getByLabel('Idée qui regroupe', { exact: true }).selectOption({ label: `${kept} (Nantes)` });
      await form.getByLabel('Motif', { exact: true }).selectOption({ label: 'Idée proche d’une autre idée' });
      await form.getByLabel('Explication', { exact: true }).fill('La fontaine répond au même besoin.');
      await expectNoAxeViolations(page);
      await form.getByRole('button', { name: 'Prononcer le verdict' }).click();

      // Assess: the verdict names the other idea by its title, linked; no identifier on the page
      const regrouped = page.getByText('Regroupée avec « ', { exact: false }).first();
      await regrouped.waitFor();
      await page
        .getByRole('link', { name: `« ${kept} »` })
        .first()
        .waitFor();
      const main = normalizeSpaces(await page.locator('main').textContent());
      expect(main).not.toMatch(UUID);
      expect(main).not.toContain('(agent ');
      await expectNoAxeViolations(page);
      await page.setViewportSize(PHONE_VIEWPORT);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });
});
