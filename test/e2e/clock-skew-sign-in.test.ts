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
import { readCode, uniqueEmail, uniquePerson } from '../support/identity.ts';
import { typeStaffCredentials } from '../support/journey.ts';

const stack = inject('stack');

/** Far from the stack's clock either way: tokens it issues have long expired, by this browser's clock. */
const BROWSER_TIMES = {
  'years ahead of the server': new Date('2031-03-15T10:00:00Z'),
  'years behind the server': new Date('2019-03-15T10:00:00Z'),
};

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe('sign-in when the browser’s clock is far from the server’s', () => {
  for (const [label, time] of Object.entries(BROWSER_TIMES)) {
    it(`keeps a citizen signed in with the right code, browser clock ${label}`, async () => {
      // Prepare: the browser's clock years away from the stack's, time still flowing.
      const email = uniqueEmail('horloge');
      const person = uniquePerson({ firstName: 'Maëlle' });
      const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
      try {
        await context.clock.install({ time });
        await context.clock.resume();

        // Act: the whole sign-in, through the identity page.
        await page.goto(`${stack.siteUrl}/identite.html`);
        await page.getByLabel('Adresse électronique', { exact: true }).fill(email);
        await page.getByRole('button', { name: 'Recevoir un code' }).click();
        // The first call of a file may meet a cold function on a busy machine.
        await page.getByRole('heading', { level: 2, name: /Étape 2 sur 2/ }).waitFor({ timeout: 30_000 });
        await page.getByLabel('Prénom').fill(person.firstName);
        await page.getByLabel('Nom', { exact: true }).fill(person.lastName);
        await page.getByLabel('Date de naissance').fill(person.birthDate);
        await page.getByLabel('Code postal de la commune').fill('44000');
        await page.getByText('Commune trouvée').waitFor();
        await page.getByLabel('Code reçu par courriel').fill(await readCode(stack, email));
        await page.getByRole('button', { name: 'Valider' }).click();

        // Assess: signed in on « Mes données », and still on another page of the site.
        await page.waitForURL(/mes-donnees\.html/);
        await page.getByText('Votre identité est vérifiée').waitFor();
        expect(normalizeSpaces(await page.locator('#me-data').textContent())).toContain(person.firstName);
        expect(await page.getByText('Vous n’êtes pas connecté·e').isVisible()).toBe(false);
        await page.goto(`${stack.siteUrl}/mes-idees.html`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.waitForLoadState('networkidle');
        expect(await page.getByText('Vous n’êtes pas connecté·e').isVisible()).toBe(false);
        await expectNoAxeViolations(page);
      } finally {
        await context.close();
      }
    });

    it(`lets a staff member in with the right password, browser clock ${label}`, async () => {
      // Prepare
      const user = stack.staff.find((candidate) => candidate.role === 'admin');
      if (!user) throw new Error('No demo admin account');
      const { context, page } = await openPage(browser);
      try {
        await context.clock.install({ time });
        await context.clock.resume();

        // Act
        await page.goto(`${stack.siteUrl}/staff/index.html`);
        await typeStaffCredentials(page, user);

        // Assess: on the back-office, the session shown, and not sent back to the form.
        await page.waitForURL(/\/staff\/back-office\.html$/);
        await page.getByText(user.email, { exact: true }).first().waitFor();
        await page.waitForLoadState('networkidle');
        expect(page.url()).toMatch(/\/staff\/back-office\.html$/);
        expect(await page.getByRole('button', { name: 'Se connecter' }).count()).toBe(0);
      } finally {
        await context.close();
      }
    });
  }
});

describe('a wrong staff password', () => {
  it('says the address or the password is wrong, not that the service failed, on a phone and axe-clean', async () => {
    // Prepare
    const user = stack.staff.find((candidate) => candidate.role === 'moderator') ?? stack.staff[0];
    if (!user) throw new Error('No demo staff account');
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Act
      await page.goto(`${stack.siteUrl}/staff/index.html`);
      await page.getByLabel('Adresse électronique', { exact: true }).fill(user.username);
      await page.getByLabel('Mot de passe').fill(`${user.password}-faux`);
      await page.getByRole('button', { name: 'Se connecter' }).click();

      // Assess
      const alert = page.locator('#sign-in-error');
      await alert.getByText(/mot de passe incorrect/).waitFor();
      const text = normalizeSpaces(await alert.textContent());
      expect(text).toContain('Adresse électronique ou mot de passe incorrect');
      expect(text).not.toContain('La connexion a échoué');
      expect(page.url()).toMatch(/\/staff\/index\.html$/);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });
});
