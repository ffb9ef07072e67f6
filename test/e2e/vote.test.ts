import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { readMailbox } from '../../local/ses.ts';
import { api, staffToken } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory } from '../support/citizens.ts';
import { openVote } from '../support/voting.ts';

const stack = inject('stack');
const factory = await citizenFactory(stack);

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  // The demo vote is dated 2023 and the stack runs on today's date: an admin extension opens it.
  await openVote(stack, factory.documents);
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

describe('« Voter »: ballot, confirmation, receipt', () => {
  it('lets a citizen choose 3 projects on a phone, confirm, see her receipt, and refuses a second ballot at once', async () => {
    // Prepare: a verified citizen of Nantes, signed in (token in sessionStorage, as the identity page leaves it).
    const citizen = await factory.create('nantes');
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(stack.siteUrl);
      await page.evaluate((token) => sessionStorage.setItem('bp.citizen.token', token), citizen.token);

      // Act 1: the ballot, from the site's navigation
      await page.getByRole('navigation').getByRole('link', { name: 'Voter' }).click();
      await page.getByRole('heading', { level: 1, name: 'Voter' }).waitFor();
      const territory = page.getByRole('group', { name: /Enveloppe de votre territoire/ });
      await territory.waitFor();
      await expectNoAxeViolations(page);
      const boxes = territory.getByRole('checkbox');
      expect(await boxes.count()).toBeGreaterThanOrEqual(3);
      // Keyboard: tab to the first box, space ticks it.
      await boxes.nth(0).focus();
      await page.keyboard.press('Space');
      await boxes.nth(1).check();
      await boxes.nth(2).check();
      expect(normalizeSpaces(await territory.locator('.count').textContent())).toContain('3 projets choisis');

      // Act 2: confirmation, which says there is no change after it
      await page.getByRole('button', { name: 'Vérifier mes choix' }).click();
      await page.getByRole('heading', { level: 2, name: 'Confirmez votre vote' }).waitFor();
      expect(normalizeSpaces(await page.locator('#confirm').textContent())).toContain(
        'après confirmation, votre vote ne pourra plus être modifié',
      );
      await expectNoAxeViolations(page);
      await page.getByRole('checkbox', { name: 'M’envoyer mon code de reçu par courriel' }).check();
      await page.getByRole('button', { name: 'Confirmer mon vote' }).click();

      // Assess: the receipt, shown and emailed
      await page.getByRole('heading', { level: 2, name: 'Votre vote est enregistré' }).waitFor();
      const receipt = normalizeSpaces(await page.locator('#receipt-code').textContent());
      expect(receipt).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      expect(normalizeSpaces(await page.locator('#receipt-email').textContent())).toContain(
        'envoyé par courriel',
      );
      const mails = (await readMailbox(stack.mailboxUrl)).filter((mail) =>
        mail.destination.to.includes(citizen.email),
      );
      expect(mails).toHaveLength(1);
      expect(mails[0]?.body.text).toContain(receipt);
      await expectNoAxeViolations(page);

      // Act 3: the same person comes back to the ballot
      await page.reload();
      // Assess: refused at once, in French, before any ticking, with the way to check the receipt
      const state = page.locator('#vote-state');
      await state.getByRole('heading', { name: 'Vous avez déjà voté' }).waitFor();
      expect(normalizeSpaces(await state.textContent())).toContain('ne peut pas être modifié');
      expect(await state.getByRole('link', { name: 'vérifier mon reçu' }).getAttribute('href')).toBe(
        'recu.html',
      );
      expect(await page.getByRole('checkbox').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Vérifier mes choix' }).isVisible()).toBe(false);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });

  it('shows public turnout per territory, axe-clean', async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(`${stack.siteUrl}/participation.html`);
      await page.getByRole('table').waitFor();
      expect(normalizeSpaces(await page.locator('#turnout-total').textContent())).toMatch(/ont voté|a voté/);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });

  it('gives coordinators a paper-ballot entry form, axe-clean', async () => {
    const { context, page } = await openPage(browser);
    try {
      const token = await staffToken(stack, 'coordinator');
      await page.goto(`${stack.siteUrl}/staff/index.html`);
      await page.evaluate((idToken) => sessionStorage.setItem('bp.staff.idToken', idToken), token);
      await page.goto(`${stack.siteUrl}/staff/bulletins-papier.html`);
      await page.getByRole('heading', { level: 2, name: 'Saisir une feuille' }).waitFor();
      await page.getByLabel('Numéro de la feuille').fill('E2E-1');
      await page.getByLabel('Code de vote de la personne').fill('ZZZZ-ZZZZ-ZZZZ');
      // The sheet's projects are ticked by name, in the group of the territory printed on it.
      const form = page.locator('#entry-form');
      await form.getByLabel('Territoire imprimé sur la feuille').selectOption({ label: 'Nantes' });
      const boxes = form.getByRole('group', { name: 'Projets cochés — Nantes' }).getByRole('checkbox');
      for (const index of [0, 1, 2]) await boxes.nth(index).check();
      await page.getByRole('button', { name: 'Enregistrer la saisie' }).click();
      await page.locator('#entry-result').getByText('Code de vote inconnu').waitFor();
      await expectNoAxeViolations(page);
      expect((await api(stack, 'GET', `/api/editions/${stack.edition}/turnout`)).status).toBe(200);
    } finally {
      await context.close();
    }
  });
});
