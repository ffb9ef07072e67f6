import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import '../support/stack-context.ts';
import { localTotpSecret, totpCode } from '../../local/totp.ts';
import { expectNoAxeViolations, launchBrowser, normalizeSpaces, openPage } from '../support/browser.ts';
import { signInStaffThroughPages, typeStaffCredentials } from '../support/journey.ts';

const stack = inject('stack');
const cognito = new CognitoIdentityProviderClient({
  region: stack.cognito.region,
  endpoint: stack.cognitoUrl,
});
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  cognito.destroy();
});

/** An account as `bp staff add` leaves it: a temporary password, a role, no TOTP yet. */
async function invite(username: string, temporaryPassword: string): Promise<void> {
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: stack.cognito.userPoolId,
      Username: username,
      TemporaryPassword: temporaryPassword,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: username },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  await cognito.send(
    new AdminAddUserToGroupCommand({
      UserPoolId: stack.cognito.userPoolId,
      Username: username,
      GroupName: 'coordinator',
    }),
  );
}

describe('staff first sign-in', () => {
  it('takes an invited agent from the temporary password to a new one, TOTP enrolment and the staff home, axe-clean', async () => {
    // Prepare
    const username = `premiere.connexion.${Date.now()}@demo.example`;
    await invite(username, 'Provisoire-2026!');
    const { context, page } = await openPage(browser);
    try {
      // Act: the temporary password.
      await page.goto(`${stack.siteUrl}/staff/index.html`);
      await page.getByLabel('Adresse électronique', { exact: true }).fill(username);
      await page.getByLabel('Mot de passe', { exact: true }).fill('Provisoire-2026!');
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click();

      // Assess: « Nouveau mot de passe », a weak one refused next to its field.
      await page.getByRole('heading', { level: 2, name: 'Nouveau mot de passe' }).waitFor();
      await expectNoAxeViolations(page);
      const step = page.getByRole('form', { name: 'Nouveau mot de passe' });
      const field = step.getByLabel('Nouveau mot de passe', { exact: true });
      await field.fill('courtcourt');
      await step.getByLabel('Confirmez le nouveau mot de passe').fill('courtcourt');
      await step.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
      await page.getByText('Le mot de passe est trop court').waitFor();
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);
      await field.fill('Mon-secret-2026!');
      await step.getByLabel('Confirmez le nouveau mot de passe').fill('Mon-secret-2026!');
      await step.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();

      // Assess: « Configurer la double authentification », a QR code and the secret to type.
      await page.getByRole('heading', { level: 2, name: 'Configurer la double authentification' }).waitFor();
      await page
        .getByRole('img', { name: 'QR code à scanner avec votre application d’authentification' })
        .waitFor();
      await expectNoAxeViolations(page);
      const secret = normalizeSpaces(await page.locator('#totp-secret').textContent()).replace(/ /g, '');
      expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
      const wrong = totpCode(secret) === '000000' ? '111111' : '000000';
      await page.getByLabel('Code à 6 chiffres').fill(wrong);
      await page.getByRole('button', { name: 'Activer et me connecter' }).click();
      await page.getByText('Code incorrect').waitFor();
      await page.getByLabel('Code à 6 chiffres').fill(totpCode(secret));
      await page.getByRole('button', { name: 'Activer et me connecter' }).click();

      // Assess: the staff home, signed in.
      await page.waitForURL(/\/staff\/back-office\.html$/);
      await page.getByText(username, { exact: true }).first().waitFor();
      await expectNoAxeViolations(page);

      // And the next sign-in asks the code of the enrolled secret.
      const next = await openPage(browser);
      try {
        await next.page.goto(`${stack.siteUrl}/staff/index.html`);
        await typeStaffCredentials(
          next.page,
          { username, password: 'Mon-secret-2026!' },
          { totpSecret: secret },
        );
        await next.page.waitForURL(/\/staff\/back-office\.html$/);
      } finally {
        await next.context.close();
      }
    } finally {
      await context.close();
    }
  });

  it('sends a sign-in whose code step expired back to the password, with a French explanation', async () => {
    // Prepare: the password proven, the code step open.
    const admin = stack.staff.find((user) => user.role === 'admin');
    if (!admin) throw new Error('No demo admin account');
    const { context, page } = await openPage(browser);
    try {
      await page.goto(`${stack.siteUrl}/staff/index.html`);
      await page.getByLabel('Adresse électronique', { exact: true }).fill(admin.username);
      await page.getByLabel('Mot de passe', { exact: true }).fill(admin.password);
      await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
      await page.getByRole('heading', { level: 2, name: 'Code de vérification' }).waitFor();
      const code = totpCode(localTotpSecret(admin.username));

      // Act: four minutes later by the local Cognito's clock (it runs in this process).
      const later = Date.now() + 4 * 60_000;
      const clock = vi.spyOn(Date, 'now').mockReturnValue(later);
      try {
        await page.getByLabel('Code à 6 chiffres').fill(code);
        await page.getByRole('button', { name: 'Valider', exact: true }).click();
        await page
          .locator('#sign-in-error')
          .getByText(/a expiré/)
          .waitFor();
      } finally {
        clock.mockRestore();
      }

      // Assess: the address and password form again, and it works.
      expect(normalizeSpaces(await page.locator('#sign-in-error').textContent())).toContain(
        'Reconnectez-vous depuis le début',
      );
      await expectNoAxeViolations(page);
      await signInStaffThroughPages(page, stack, admin);
    } finally {
      await context.close();
    }
  });
});
