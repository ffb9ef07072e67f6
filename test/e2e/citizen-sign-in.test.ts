import type { Browser, Page } from 'playwright-core';
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
import { identityPath, readCode, signInCitizen, uniqueEmail, uniquePerson } from '../support/identity.ts';
import { typeStaffCredentials } from '../support/journey.ts';

const stack = inject('stack');

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** Signs in through the real staff sign-in page. */
async function signInStaff(page: Page, role: string): Promise<void> {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`No demo account with role ${role}`);
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
}

describe('« Vérifier mon identité » and « Mes données »', () => {
  it('lets an inhabitant verify on a phone (email, code from the mailbox, profile) and see her data, axe-clean at every step', async () => {
    // Prepare
    const email = uniqueEmail('navigateur');
    const person = uniquePerson({ firstName: 'Anaïs' });
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Act 1: from the home page's navigation to step 1
      await page.goto(stack.siteUrl);
      // On a phone the links other than the phase's action are behind « Menu ».
      await page.getByRole('navigation').getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation').getByRole('link', { name: 'Vérifier mon identité' }).click();
      await page.getByRole('heading', { level: 1, name: 'Vérifier mon identité' }).waitFor();
      await expectNoAxeViolations(page);
      await page.getByLabel('Adresse électronique', { exact: true }).fill('pas-une-adresse');
      await page.getByRole('button', { name: 'Recevoir un code' }).click();
      expect(normalizeSpaces(await page.locator('#email-error').textContent())).toContain(
        'adresse électronique valide',
      );
      await page.getByLabel('Adresse électronique', { exact: true }).fill(email);
      await page.getByRole('button', { name: 'Recevoir un code' }).click();

      // Act 2: step 2, a wrong code first: the error sits next to the code, what was typed stays
      await page.getByRole('heading', { level: 2, name: /Étape 2 sur 2/ }).waitFor();
      const code = await readCode(stack, email);
      await page.getByLabel('Prénom').fill(person.firstName);
      await page.getByLabel('Nom', { exact: true }).fill(person.lastName);
      await page.getByLabel('Date de naissance').fill(person.birthDate);
      await page.getByLabel('Code postal de la commune').fill('44000');
      await page.getByText('Commune trouvée').waitFor();
      await expectNoAxeViolations(page);
      await page.getByLabel('Code reçu par courriel').fill(code === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Valider' }).click();
      await page
        .locator('#code-error')
        .getByText(/Code incorrect/)
        .waitFor();
      expect(await page.getByLabel('Code reçu par courriel').getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);

      // A reload keeps the email, the step and the profile, not the code.
      await page.reload();
      await page.getByRole('heading', { level: 2, name: /Étape 2 sur 2/ }).waitFor();
      expect(await page.getByLabel('Prénom').inputValue()).toBe(person.firstName);
      expect(await page.getByLabel('Code reçu par courriel').inputValue()).toBe('');
      await page.getByLabel('Commune', { exact: true }).waitFor();

      // Act 3: the right code, but too young: the rule is explained, and the code stays usable
      await page.getByLabel('Code reçu par courriel').fill(code);
      await page.getByLabel('Date de naissance').fill('2015-01-01');
      await page.getByRole('button', { name: 'Valider' }).click();
      const refusal = page.getByRole('alert').filter({ hasText: 'Âge minimum non atteint' });
      await refusal.waitFor();
      expect(normalizeSpaces(await refusal.textContent())).toMatch(
        /au moins \d+ ans le .* jour d’ouverture du vote/,
      );
      await expectNoAxeViolations(page);
      await page.getByLabel('Date de naissance').fill(person.birthDate);
      await page.getByRole('button', { name: 'Valider' }).click();

      // Assess: signed in, on « Mes données », her data shown readably
      await page.waitForURL(/mes-donnees\.html/);
      await page.getByRole('heading', { level: 1, name: 'Mes données' }).waitFor();
      await page.getByText('Votre identité est vérifiée').waitFor();
      const data = normalizeSpaces(await page.locator('#me-data').textContent());
      expect(data).toContain(person.firstName);
      expect(data).toContain(email);
      expect(data).toContain('14 mai 1990');
      expect(await page.evaluate(() => sessionStorage.getItem('bp.citizen.token'))).toMatch(/^ey/);
      await expectNoAxeViolations(page);

      // Erasure, with a confirmation
      await page.getByRole('button', { name: 'Effacer mes données…' }).click();
      await page.getByRole('button', { name: 'Oui, effacer définitivement' }).click();
      await page.getByText('Vos données personnelles sont effacées.').waitFor();
      expect(normalizeSpaces(await page.locator('#me-data').textContent())).not.toContain(person.firstName);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });

  it('keeps a code request sent while the edition is still loading (no reload, no address in the URL)', async () => {
    // Prepare: the edition answers slowly, as on a poor mobile connection.
    const email = uniqueEmail('presse');
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    let releaseEdition: () => void = () => undefined;
    const editionHeld = new Promise<void>((resolve) => {
      releaseEdition = resolve;
    });
    let editionAsked = false;
    await page.route(/\/editions\/[^/?]+$/, async (route) => {
      editionAsked = true;
      await editionHeld;
      await route.continue();
    });
    try {
      // Act: the person types and sends before the page has its edition.
      await page.goto(`${stack.siteUrl}/identite.html`);
      await expect.poll(() => editionAsked).toBe(true);
      await page.getByLabel('Adresse électronique', { exact: true }).fill(email);
      await page.getByRole('button', { name: 'Recevoir un code' }).click();
      releaseEdition();

      // Assess: the request was sent once the page was ready, on the same page.
      await page.getByRole('heading', { level: 2, name: /Étape 2 sur 2/ }).waitFor({ timeout: 30_000 });
      expect(normalizeSpaces(await page.locator('#code-sent-to').textContent())).toContain(email);
      expect(page.url()).not.toContain('email=');
      expect(await readCode(stack, email)).toMatch(/^\d{6}$/);
    } finally {
      releaseEdition();
      await context.close();
    }
  });
});

describe('a sign-in whose answer is lost', () => {
  it('shows step 2 on the second click of « Recevoir un code », with the one code the first click sent', async () => {
    // Prepare
    const email = uniqueEmail('code-perdu');
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(`${stack.siteUrl}/identite.html`);
      await page.getByLabel('Adresse électronique', { exact: true }).fill(email);
      let served = 0;
      await page.route(/\/identity\/code$/, async (route) => {
        await route.fetch();
        served += 1;
        await route.abort('connectionreset');
      });

      // Act: the first answer is lost on the way back (the code went out); the person clicks again.
      await page.getByRole('button', { name: 'Recevoir un code' }).click();
      await expect.poll(() => served).toBe(1);
      await page
        .getByText(/indisponible|injoignable|Réessayez/)
        .first()
        .waitFor();
      await page.unroute(/\/identity\/code$/);
      await page.getByRole('button', { name: 'Recevoir un code' }).click();

      // Assess: step 2 at once, not « patientez », and one email only.
      await page.getByRole('heading', { level: 2, name: /Étape 2 sur 2/ }).waitFor();
      expect(await page.getByText('il y a moins d’une minute').count()).toBe(0);
      const mails = (await readMailbox(stack.mailboxUrl)).filter((mail) =>
        mail.destination.to.includes(email),
      );
      expect(mails).toHaveLength(1);
    } finally {
      await context.close();
    }
  });

  it('signs in on the second click with the same code, which the first click had used', async () => {
    // Prepare
    const email = uniqueEmail('reponse-perdue');
    const person = uniquePerson({ firstName: 'Maëlle' });
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(`${stack.siteUrl}/identite.html`);
      await page.getByLabel('Adresse électronique', { exact: true }).fill(email);
      await page.getByRole('button', { name: 'Recevoir un code' }).click();
      await page.getByRole('heading', { level: 2, name: /Étape 2 sur 2/ }).waitFor();
      await page.getByLabel('Prénom').fill(person.firstName);
      await page.getByLabel('Nom', { exact: true }).fill(person.lastName);
      await page.getByLabel('Date de naissance').fill(person.birthDate);
      await page.getByLabel('Code postal de la commune').fill('44000');
      await page.getByText('Commune trouvée').waitFor();
      await page.getByLabel('Code reçu par courriel').fill(await readCode(stack, email));
      // The first answer never reaches the page: the server opened the session (the code is used), the
      // connection dropped on the way back.
      let served = 0;
      await page.route(/\/identity\/session$/, async (route) => {
        await route.fetch();
        served += 1;
        await route.abort('connectionreset');
      });

      // Act 1
      await page.getByRole('button', { name: 'Valider' }).click();
      await expect.poll(() => served).toBe(1);
      await page
        .getByText(/indisponible|injoignable|Réessayez/)
        .first()
        .waitFor();
      await page.unroute(/\/identity\/session$/);
      // Act 2: the person clicks again, with the code already typed.
      await page.getByRole('button', { name: 'Valider' }).click();

      // Assess
      await page.waitForURL(/mes-donnees\.html\?verifie$/);
      await page.getByText(person.lastName).first().waitFor();
    } finally {
      await context.close();
    }
  });
});

describe('coordinator pages', () => {
  it('registers a person on site and shows the voting code to print, then rejects a duplicate with a reason', async () => {
    // Prepare: a suspected duplicate in the queue.
    const twin = uniquePerson({ birthDate: '1977-07-07' });
    await signInCitizen(stack, twin);
    const held = await signInCitizen(stack, { ...twin, lastName: twin.lastName.toUpperCase() });
    expect(held.response.body.citizen.status).toBe('held');
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signInStaff(page, 'coordinator');
      await page.getByRole('link', { name: 'Identités (coordination)' }).click();
      await page.getByRole('heading', { level: 2, name: 'Inscription sur place' }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Doublons à examiner' }).waitFor();
      await expectNoAxeViolations(page);

      // Act 1: in-person registration
      const person = uniquePerson({ firstName: 'Jean-Yves' });
      await page.getByLabel('Prénom').fill(person.firstName);
      await page.getByLabel('Nom', { exact: true }).fill(person.lastName);
      await page.getByLabel('Date de naissance').fill(person.birthDate);
      await page.getByLabel('Code postal de la commune').fill('44000');
      await page.getByText('Commune trouvée').waitFor();
      await page.getByRole('button', { name: 'Inscrire et obtenir le code de vote' }).click();
      const code = normalizeSpaces(await page.locator('#voting-code').textContent());
      expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
      await page.getByRole('button', { name: 'Imprimer le code' }).waitFor();
      await expectNoAxeViolations(page);

      // Act 2: reject the held identity, the reason is required
      const review = page.locator('article.review').filter({ hasText: twin.lastName.toUpperCase() });
      await review.getByLabel(/Même personne/).check();
      await review.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await review.getByText(/Indiquez le motif/).waitFor();
      await review.getByLabel('Motif').fill('Même personne, deux adresses électroniques');
      await review.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await page.getByText('Identité écartée comme doublon.').waitFor();

      // Assess
      const me = await api(stack, 'GET', identityPath(stack, '/me'), { token: held.token });
      expect(me.body.identity).toMatchObject({ status: 'rejected', decision: { outcome: 'reject' } });
      const rejected = await api(
        stack,
        'GET',
        identityPath(stack, '/staff/identity/reviews?status=rejected'),
        {
          token: await staffToken(stack, 'coordinator'),
        },
      );
      expect(
        rejected.body.reviews.some(
          (candidate: { heldCitizenId: string }) => candidate.heldCitizenId === held.response.body.citizen.id,
        ),
      ).toBe(true);
    } finally {
      await context.close();
    }
  });
});
