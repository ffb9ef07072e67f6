import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { type Mail, readMailbox } from '../../local/ses.ts';
import { localTotpSecret, totpCode } from '../../local/totp.ts';
import { eventually, waitForBus } from './api.ts';
import { expectNoAxeViolations, PHONE_VIEWPORT } from './browser.ts';
import type { TestProfile } from './identity.ts';
import { localBus } from './local-bus.ts';
import type { StackContext } from './stack-context.ts';

/**
 * Page-level helpers of the browser journeys: people sign in through the site's own pages, read their codes and
 * links in the SES emulator's mailbox, and time moves with the local bus's clock (nothing else outside the site).
 */

export type StaffAccount = StackContext['staff'][number];

export const DESKTOP_VIEWPORT = { width: 1280, height: 900 };

/** axe on the page at a desktop width and at 360 px (no sideways scrolling there), back to the first size. */
export async function axeAtBothWidths(page: Page): Promise<void> {
  const before = page.viewportSize();
  await page.setViewportSize(DESKTOP_VIEWPORT);
  await expectNoAxeViolations(page);
  await page.setViewportSize(PHONE_VIEWPORT);
  await expectNoAxeViolations(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth), page.url()).toBeLessThanOrEqual(
    PHONE_VIEWPORT.width,
  );
  if (before) await page.setViewportSize(before);
}

/**
 * axe on every page a journey visits: at both widths the first time a page (path) is seen, then at the width
 * the person uses, for the later states of that page (one full pass per page keeps a long journey's time down).
 */
export function axeOnEveryPage(): (page: Page) => Promise<void> {
  const seen = new Set<string>();
  return async (page) => {
    const path = new URL(page.url()).pathname;
    if (seen.has(path)) return expectNoAxeViolations(page);
    seen.add(path);
    return axeAtBothWidths(page);
  };
}

/** Moves the local clock (and so every Date of a `.clock.test.ts` process) to `to`, then lets the bus deliver. */
export async function clockTo(stack: StackContext, to: Date): Promise<void> {
  await localBus(stack, 'clock/advance', { to: to.toISOString() });
  await localBus(stack, 'idle', {});
}

/** The emails to `to` whose subject contains `fragment`, once at least `count` are there. */
export async function mailsTo(
  stack: StackContext,
  to: string,
  fragment: string | RegExp,
  count = 1,
): Promise<Mail[]> {
  return eventually(async () => {
    await waitForBus(stack);
    const mails = (await readMailbox(stack.mailboxUrl)).filter(
      (mail) =>
        mail.destination.to.includes(to) &&
        (typeof fragment === 'string' ? mail.subject.includes(fragment) : fragment.test(mail.subject)),
    );
    return mails.length >= count ? mails : undefined;
  }, 30_000);
}

/** The links of an email that lead to the site (text and HTML bodies), in order, without duplicates. */
export function siteLinks(stack: StackContext, mail: Mail): string[] {
  const body = `${mail.body.text ?? ''}\n${mail.body.html ?? ''}`;
  const found = body.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
  const origin = new URL(stack.siteUrl).origin;
  return [...new Set(found.map((link) => link.replaceAll('&amp;', '&')))].filter((link) => {
    try {
      return new URL(link).origin === origin;
    } catch {
      return false;
    }
  });
}

/** The signed action links of a staff email, by their `act` claim (read, not verified: the API verifies). */
export function actionLinks(stack: StackContext, mail: Mail): Record<string, string> {
  const links: Record<string, string> = {};
  for (const link of siteLinks(stack, mail)) {
    const token = new URL(link).searchParams.get('t');
    if (!link.includes('/staff/lien.html') || !token) continue;
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    links[payload.act] ??= link;
  }
  return links;
}

const isCodeMail = (email: string) => (mail: Mail) =>
  mail.destination.to.includes(email) && mail.subject.includes('code de vérification');

/**
 * Signs a citizen in through « Vérifier mon identité »: the address, the code read from the mailbox, the
 * profile on a first verification (left empty when the identity exists); lands on « Mes données ».
 */
export async function signInCitizenThroughPages(
  page: Page,
  stack: StackContext,
  email: string,
  profile?: TestProfile & { postcode: string },
): Promise<void> {
  try {
    await verifyThroughPages(page, stack, email, profile);
  } catch (error) {
    // What the page said, to tell a refusal from a slow page.
    const shown = await page
      .locator('main')
      .textContent()
      .catch(() => '');
    throw new Error(
      `${String(error)}\n--- ${page.url()}\n${(shown ?? '').replace(/\s+/g, ' ').slice(0, 1500)}`,
    );
  }
}

async function verifyThroughPages(
  page: Page,
  stack: StackContext,
  email: string,
  profile?: TestProfile & { postcode: string },
): Promise<void> {
  const before = (await readMailbox(stack.mailboxUrl)).filter(isCodeMail(email)).length;
  await page.goto(`${stack.siteUrl}/identite.html`);
  // The form's handlers are attached once the page has read its config: no click before.
  await page.waitForLoadState('networkidle');
  await page.getByRole('heading', { level: 1, name: 'Vérifier mon identité' }).waitFor();
  await page.getByLabel('Adresse électronique', { exact: true }).fill(email);
  await page.getByRole('button', { name: 'Recevoir un code' }).click();
  await page.getByRole('heading', { level: 2, name: /Étape 2 sur 2/ }).waitFor();
  const code = await eventually(async () => {
    const mails = (await readMailbox(stack.mailboxUrl)).filter(isCodeMail(email));
    return mails.length > before ? mails.at(-1)?.subject.match(/(\d{6})$/)?.[1] : undefined;
  });
  if (profile) {
    await page.getByLabel('Prénom').fill(profile.firstName);
    await page.getByLabel('Nom', { exact: true }).fill(profile.lastName);
    await page.getByLabel('Date de naissance').fill(profile.birthDate);
    await page.getByLabel('Code postal de la commune').fill(profile.postcode);
    await page.getByText('Commune trouvée').waitFor();
  }
  await page.getByLabel('Code reçu par courriel').fill(code);
  await page.getByRole('button', { name: 'Valider' }).click();
  await page.waitForURL(/mes-donnees\.html/);
  await page.getByText('Votre identité est vérifiée').waitFor();
}

/**
 * The one way tests sign staff in through the site: the address and password on the sign-in form in front of
 * `page` (the back-office's, or an action link's with `button: 'Se connecter et continuer'`), then the current
 * TOTP code of the account (its seeded secret unless `totpSecret` says otherwise) on « Code de vérification ».
 */
export async function typeStaffCredentials(
  page: Page,
  user: Pick<StaffAccount, 'username' | 'password'>,
  opts: { button?: string; totpSecret?: string } = {},
): Promise<void> {
  await page.getByLabel('Adresse électronique', { exact: true }).fill(user.username);
  await page.getByLabel('Mot de passe', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: opts.button ?? 'Se connecter', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Code de vérification' }).waitFor();
  await page
    .getByLabel('Code à 6 chiffres')
    .fill(totpCode(opts.totpSecret ?? localTotpSecret(user.username)));
  await page.getByRole('button', { name: 'Valider', exact: true }).click();
}

/** Signs a staff member in through the back-office sign-in page; lands on the staff home. */
export async function signInStaffThroughPages(
  page: Page,
  stack: StackContext,
  user: Pick<StaffAccount, 'username' | 'password'>,
): Promise<void> {
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await page.waitForLoadState('networkidle');
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
}

/** The demo staff account of `role`. */
export function staffAccount(stack: StackContext, role: string): StaffAccount {
  const user = stack.staff.find((candidate) => candidate.role === role);
  if (!user) throw new Error(`No demo staff account for ${role}`);
  return user;
}
