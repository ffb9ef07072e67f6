import { randomUUID } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { api, currentPhaseOf, movePhase, staffToken } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory } from '../support/citizens.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);

let browser: Browser;
let admin: string;
let initialPhase: string;

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await staffToken(stack, 'admin');
  initialPhase = await currentPhaseOf(stack);
  // The call for ideas, open whatever the date of the stack: the phase, and an extension of its window.
  await movePhase(stack, admin, 'ideas', 'Essai du formulaire d’idée : appel à idées');
  const extended = await api(stack, 'POST', `${editionPath}/staff/ideas-window`, {
    token: admin,
    body: {
      action: 'extend',
      until: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      reason: 'Prolongation de l’appel à idées pour l’essai du formulaire',
    },
  });
  expect([200, 400], JSON.stringify(extended.body)).toContain(extended.status);
});

afterAll(async () => {
  await browser?.close();
  if (admin && initialPhase)
    await movePhase(stack, admin, initialPhase, 'Essai du formulaire d’idée : retour');
  await factory.documents.send(
    new DeleteCommand({
      TableName: stack.tableName,
      Key: { pk: `EDITION#${stack.edition}#IDEAS`, sk: 'WINDOW' },
    }),
  );
  factory.close();
});

const BUTTONS = ['Étape précédente', 'Étape suivante', 'Envoyer mon idée'];

/** The form's step buttons a person can see. */
async function visibleButtons(page: Page): Promise<string[]> {
  const visible: string[] = [];
  for (const name of BUTTONS) {
    if (await page.getByRole('button', { name, exact: true }).isVisible()) visible.push(name);
  }
  return visible;
}

describe('« Proposer une idée »', () => {
  it('shows only the buttons of the current step, asks for a commune from a list and a place in words, never coordinates', {
    timeout: 120_000,
  }, async () => {
    // Prepare: a verified inhabitant of Nantes, signed in in this tab.
    const citizen = await factory.create('nantes');
    const title = `Un composteur partagé ${randomUUID().slice(0, 6)}`;
    const place = 'Square Daviais, près de l’aire de jeux';
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(stack.siteUrl);
      await page.evaluate((token) => sessionStorage.setItem('bp.citizen.token', token), citizen.token);
      await page.goto(`${stack.siteUrl}/proposer.html`);

      // Step 1: where. One button; a commune list; an optional place in words; no coordinates.
      await page.getByRole('heading', { level: 2, name: /Étape 1 sur 3/ }).waitFor();
      expect(await visibleButtons(page)).toEqual(['Étape suivante']);
      expect(await page.getByLabel(/Latitude|Longitude/).count()).toBe(0);
      expect(normalizeSpaces(await page.locator('#idea-form').textContent())).not.toMatch(
        /degrés|coordonnées/i,
      );
      const communes = page.getByLabel('Commune concernée');
      expect(await communes.evaluate((select) => select.tagName)).toBe('SELECT');
      expect(await communes.locator('option', { hasText: 'Nantes' }).count()).toBeGreaterThan(0);
      await communes.selectOption({ label: 'Nantes' });
      await page.getByLabel('Adresse ou lieu (facultatif)').fill(place);
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Étape suivante' }).click();

      // Step 2: back and next
      await page.getByRole('heading', { level: 2, name: /Étape 2 sur 3/ }).waitFor();
      expect(await visibleButtons(page)).toEqual(['Étape précédente', 'Étape suivante']);
      await page.getByLabel('Thème', { exact: true }).selectOption({ index: 1 });
      await page.getByLabel('Titre', { exact: true }).fill(title);
      await page
        .getByLabel('Description', { exact: true })
        .fill(
          'Un composteur de quartier, tenu par les habitants, pour les déchets de cuisine des immeubles voisins.',
        );
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Étape suivante' }).click();

      // Step 3: back and send
      await page.getByRole('heading', { level: 2, name: /Étape 3 sur 3/ }).waitFor();
      expect(await visibleButtons(page)).toEqual(['Étape précédente', 'Envoyer mon idée']);
      await expectNoAxeViolations(page);
      // Back to step 1: what was typed is still there
      await page.getByRole('button', { name: 'Étape précédente' }).click();
      await page.getByRole('button', { name: 'Étape précédente' }).click();
      await page.getByRole('heading', { level: 2, name: /Étape 1 sur 3/ }).waitFor();
      expect(await visibleButtons(page)).toEqual(['Étape suivante']);
      expect(await page.getByLabel('Adresse ou lieu (facultatif)').inputValue()).toBe(place);
      await page.getByRole('button', { name: 'Étape suivante' }).click();
      await page.getByRole('button', { name: 'Étape suivante' }).click();
      await page.getByLabel('Coût estimé (en euros)').fill('8000');
      await page.getByRole('button', { name: 'Envoyer mon idée' }).click();

      // Assess: sent, with its commune and its place
      await page.locator('#done-heading').waitFor();
      await expectNoAxeViolations(page);
      const mine = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: citizen.token });
      expect(mine.status).toBe(200);
      const items = (mine.body.items ?? mine.body) as {
        title: string;
        commune?: string;
        place?: string;
        location?: unknown;
      }[];
      const idea = items.find((item) => item.title === title);
      expect(idea).toMatchObject({ commune: '44109', place });
      expect(idea).not.toHaveProperty('location');
    } finally {
      await context.close();
    }
  });
});
