import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, staffToken } from '../support/api.ts';
import { launchBrowser, normalizeSpaces, openPage, PHONE_VIEWPORT } from '../support/browser.ts';
import { citizenFactory } from '../support/citizens.ts';
import { uniquePerson } from '../support/identity.ts';
import {
  axeOnEveryPage,
  type StaffAccount,
  signInStaffThroughPages,
  staffAccount,
} from '../support/journey.ts';
import { extraStaffTokens, openVote } from '../support/voting.ts';
import '../support/stack-context.ts';

/**
 * Paper ballots in the browser (« Bulletins papier »): three coordinators, each in their own browser, type the
 * same sheet, ticking its projects by name as printed; two entries that differ flag it, and a third agent
 * resolves it from the paper.
 */
const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
const axe = axeOnEveryPage();
const tag = randomUUID().slice(0, 6);
let browser: Browser;
let agents: StaffAccount[];

/** Extra coordinator accounts, made in the staff pool as ops (or the Département's SSO) would. */
async function extraCoordinators(names: string[]): Promise<StaffAccount[]> {
  await extraStaffTokens(stack, 'coordinator', names);
  return names.map((name) => ({
    username: `${name}@exemple.fr`,
    email: `${name}@exemple.fr`,
    password: `Essai-${name}-2026!`,
    role: 'coordinator',
  }));
}

async function paperPage(agent: StaffAccount) {
  const opened = await openPage(browser, { viewport: PHONE_VIEWPORT });
  await signInStaffThroughPages(opened.page, stack, agent);
  await opened.page.goto(`${stack.siteUrl}/staff/bulletins-papier.html`);
  await opened.page.getByRole('heading', { level: 2, name: 'Saisir une feuille' }).waitFor();
  return opened;
}

/** The demo's Nantes projects, by their number on the list: the sheet prints their names. */
const NANTES = {
  1: 'Arceaux vélos sécurisés près des gares de Nantes',
  2: 'Îlots de fraîcheur dans les cours d’écoles du quartier Bottière',
  3: 'Frigos solidaires dans trois maisons de quartier',
  4: 'Boîtes à livres sur l’île de Nantes',
} as const;

/** Ticks, in `form`, the Nantes projects `numbers` as the sheet shows them, by name (Nantes chosen first). */
async function tick(page: Page, form: string, numbers: (keyof typeof NANTES)[]): Promise<void> {
  await page.locator(form).getByLabel('Territoire imprimé sur la feuille').selectOption({ label: 'Nantes' });
  const group = page.locator(form).getByRole('group', { name: 'Projets cochés — Nantes' });
  for (const number of numbers) await group.getByLabel(NANTES[number], { exact: true }).check();
}

/** One agent's entry of the sheet; returns the outcome the page shows. */
async function enter(
  page: Page,
  sheet: string,
  code: string,
  projects: (keyof typeof NANTES)[],
): Promise<string> {
  await page.getByLabel('Numéro de la feuille').fill(sheet);
  await page.getByLabel('Code de vote de la personne').fill(code);
  await tick(page, '#entry-form', projects);
  await page.getByRole('button', { name: 'Enregistrer la saisie' }).click();
  const result = page.locator('#entry-result').getByText(`Feuille ${sheet}`);
  await result.waitFor();
  await axe(page);
  return normalizeSpaces(await result.textContent());
}

beforeAll(async () => {
  browser = await launchBrowser();
  await openVote(stack, factory.documents);
  agents = [staffAccount(stack, 'coordinator'), ...(await extraCoordinators([`b-${tag}`, `c-${tag}`]))];
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

describe('« Bulletins papier »: double entry by two agents, arbitration by a third', () => {
  it('keeps a first entry pending, flags a second entry that differs, and counts the sheet the third agent reads', {
    timeout: 180_000,
  }, async () => {
    // Prepare: a person registered on site by the first agent, who gets a printed voting code.
    const first = await paperPage(agents[0] as StaffAccount);
    let code = '';
    try {
      await first.page.goto(`${stack.siteUrl}/staff/identite.html`);
      await first.page.getByRole('heading', { level: 2, name: 'Inscription sur place' }).waitFor();
      const person = uniquePerson({ firstName: 'Gaëlle' });
      await first.page.getByLabel('Prénom').fill(person.firstName);
      await first.page.getByLabel('Nom', { exact: true }).fill(person.lastName);
      await first.page.getByLabel('Date de naissance').fill(person.birthDate);
      await first.page.getByLabel('Code postal de la commune').fill('44000');
      await first.page.getByText('Commune trouvée').waitFor();
      await first.page.getByRole('button', { name: 'Inscrire et obtenir le code de vote' }).click();
      code = normalizeSpaces(await first.page.locator('#voting-code').textContent());
      await axe(first.page);

      // Act 1: the first agent types the sheet.
      await first.page.goto(`${stack.siteUrl}/staff/bulletins-papier.html`);
      await first.page.getByRole('heading', { level: 2, name: 'Saisir une feuille' }).waitFor();
      await axe(first.page);
      // Projects by name, as printed: no raw project number on the page.
      expect(await first.page.locator('#entry').textContent()).not.toMatch(/nantes-\d/);
      const sheet = `P-${tag}`;
      expect(await enter(first.page, sheet, code, [1, 2, 3])).toContain(
        'Première saisie enregistrée : un autre agent doit saisir la même feuille.',
      );
      // The same agent cannot be the second entry.
      await first.page.getByLabel('Numéro de la feuille').fill(sheet);
      await first.page.getByLabel('Code de vote de la personne').fill(code);
      await tick(first.page, '#entry-form', [1, 2, 4]);
      await first.page.getByRole('button', { name: 'Enregistrer la saisie' }).click();
      await first.page.locator('#entry-result').getByText('Deuxième saisie par un autre agent').waitFor();
      await axe(first.page);

      // Act 2: a second agent reads a 4 where the first read a 3.
      const second = await paperPage(agents[1] as StaffAccount);
      try {
        expect(await enter(second.page, sheet, code, [1, 2, 4])).toContain(
          'Les deux saisies diffèrent : la feuille attend l’arbitrage d’un troisième agent.',
        );
        await second.page.getByRole('button', { name: `Arbitrer la feuille ${sheet}` }).waitFor();
      } finally {
        await second.context.close();
      }

      // Act 3: a third agent reads the paper and counts it.
      const third = await paperPage(agents[2] as StaffAccount);
      try {
        const flagged = third.page.locator('#flagged-list');
        await third.page.getByRole('button', { name: `Arbitrer la feuille ${sheet}` }).waitFor();
        expect(normalizeSpaces(await flagged.textContent())).toContain(
          `Feuille ${sheet} — diffère par les projets cochés`,
        );
        await third.page.getByRole('button', { name: `Arbitrer la feuille ${sheet}` }).click();
        await third.page
          .getByRole('heading', { level: 3, name: `Arbitrage de la feuille ${sheet}` })
          .waitFor();
        await axe(third.page);
        await third.page.getByLabel('Code de vote lu sur la feuille').fill(code);
        await tick(third.page, '#resolve-form', [1, 2, 3]);
        await third.page.getByRole('button', { name: 'Compter ce bulletin' }).click();
        await third.page
          .locator('#resolve-result')
          .getByText(`Feuille ${sheet} : Les deux saisies concordent`)
          .waitFor();
        await flagged.getByText('Aucune feuille à arbitrer.').waitFor();
        await axe(third.page);
      } finally {
        await third.context.close();
      }
    } finally {
      await first.context.close();
    }

    // Assess: the sheet is counted (the public turnout is cached for a minute: read the sheets instead).
    const cast = await api(stack, 'GET', `${editionPath}/staff/paper-ballots?status=cast`, {
      token: await staffToken(stack, 'coordinator'),
    });
    expect(cast.body.sheets.map((sheet: { sheet: string }) => sheet.sheet)).toContain(`P-${tag}`);
  });
});
