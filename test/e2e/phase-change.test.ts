import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { PHASE_LABELS, PHASES, type Phase } from '../../shared/edition/phases.ts';
import { staffToken } from '../support/api.ts';
import '../support/stack-context.ts';
import { expectNoAxeViolations, launchBrowser, normalizeSpaces, openPage } from '../support/browser.ts';
import { typeStaffCredentials } from '../support/journey.ts';

const stack = inject('stack');
type StaffAccount = (typeof stack.staff)[number];

interface PhaseBody {
  current: Phase;
  label: string;
}

interface StoredEmail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
}

function account(role: string): StaffAccount {
  const found = stack.staff.find((staff) => staff.role === role);
  if (!found) throw new Error(`No demo account with role ${role}`);
  return found;
}

function postPhase(body: unknown, token?: string): Promise<Response> {
  return fetch(`${stack.siteUrl}/api/editions/${stack.edition}/staff/phase`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function publicPhase(): Promise<PhaseBody> {
  const response = await fetch(`${stack.siteUrl}/api/editions/${stack.edition}`);
  return ((await response.json()) as { phase: PhaseBody }).phase;
}

async function storedEmails(): Promise<StoredEmail[]> {
  const response = await fetch(`${stack.mailboxUrl}/store`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

/** Signs in through the real sign-in page and waits for the back-office to show the phase. */
async function signInThroughPage(page: Page, user: StaffAccount): Promise<void> {
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
  await page.getByText(user.email).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Phase de l’édition' }).waitFor();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let browser: Browser;
let initialPhase: Phase;

beforeAll(async () => {
  browser = await launchBrowser();
  initialPhase = (await publicPhase()).current;
});

afterAll(async () => {
  await browser?.close();
});

describe('phase change from the back-office', () => {
  it('lets the admin change the phase with a reason, and the coordinators get the French email', async () => {
    // Prepare
    const target: Phase = PHASES[PHASES.indexOf(initialPhase) + 1] ?? 'ideas';
    const targetLabel = PHASE_LABELS[target];
    const reason = `Essai de bout en bout du ${new Date().toISOString()}`;
    const before = new Set((await storedEmails()).map((email) => email.messageId));
    const { context, page } = await openPage(browser);
    try {
      await signInThroughPage(page, account('admin'));
      expect(normalizeSpaces(await page.locator('#who-roles').textContent())).toContain('Administration');
      const form = page.getByRole('region', { name: 'Changement de phase' });
      await form.waitFor();

      // Act 1: a reason too short, refused with a field error before anything is sent
      await page.getByLabel('Nouvelle phase').selectOption(target);
      await page.getByLabel('Motif du changement').fill('ok');
      await page.getByRole('button', { name: 'Changer de phase', exact: true }).click();

      // Assess 1: the API's message sits next to the field, and nothing changed
      await page.locator('#phase-reason-error').filter({ hasText: /\S/ }).waitFor();
      expect(await page.getByLabel('Motif du changement').getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);
      expect((await publicPhase()).current).toBe(initialPhase);

      // Act 2: a reason, then a confirmation that says what will happen; cancelling changes nothing
      await page.getByLabel('Motif du changement').fill(reason);
      await page.getByRole('button', { name: 'Changer de phase', exact: true }).click();
      const ask = page.locator('#phase-confirm-text');
      await ask.waitFor();
      expect(normalizeSpaces(await ask.textContent())).toContain(`« ${targetLabel} »`);
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Annuler' }).click();
      expect(await ask.isVisible()).toBe(false);
      expect((await publicPhase()).current).toBe(initialPhase);
      await page.getByRole('button', { name: 'Changer de phase', exact: true }).click();
      await page.getByRole('button', { name: 'Oui, changer de phase' }).click();

      // Assess 2: confirmation, new phase and history on the page; phase changed in the API
      const confirmation = page.getByRole('status').filter({ hasText: 'Phase modifiée' });
      await confirmation.waitFor();
      expect(normalizeSpaces(await confirmation.textContent())).toContain(`« ${targetLabel} »`);
      expect(normalizeSpaces(await page.locator('#bo-phase-label').textContent())).toBe(targetLabel);
      await page.locator('#bo-history').getByText(reason).waitFor();
      expect(await page.getByLabel('Motif du changement').getAttribute('aria-invalid')).toBeNull();
      expect((await publicPhase()).current).toBe(target);
      await expectNoAxeViolations(page);

      // Assess 3: the email reaches the mailbox, seen in its web UI…
      const subject = new RegExp(`phase\\s+«\\s*${escapeRegExp(targetLabel)}\\s*»`);
      await page.goto(stack.mailboxUrl);
      await page.getByText(subject).first().waitFor({ timeout: 10_000 });

      // …and in its JSON store, once per coordinator of the edition, with the reason
      const fresh = (await storedEmails()).filter((email) => !before.has(email.messageId));
      const about = fresh.filter((email) => subject.test(email.subject));
      expect(about.length).toBeGreaterThan(0);
      const parsed = await readEditionFile(join('editions', `${stack.edition}.json`));
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const recipients = about.flatMap((email) => email.destination.to).sort();
      expect(recipients).toEqual(
        parsed.config.staff.coordinators.map((coordinator) => coordinator.email).sort(),
      );
      expect(about.every((email) => (email.body.text ?? '').includes(reason))).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('shows a coordinator the phase but no change form, and the API refuses their change', async () => {
    // Prepare
    const coordinator = account('coordinator');
    const { context, page } = await openPage(browser);
    try {
      // Act
      await signInThroughPage(page, coordinator);

      // Assess: the phase is there, the form is not
      const phase = await publicPhase();
      expect(normalizeSpaces(await page.locator('#bo-phase-label').textContent())).toBe(phase.label);
      expect(await page.getByRole('heading', { name: 'Changement de phase' }).count()).toBe(0);
      expect(await page.getByRole('textbox', { name: 'Motif du changement' }).count()).toBe(0);
      expect(await page.locator('form').count()).toBe(0);
      await expectNoAxeViolations(page);

      // Assess: a hand-made POST is refused (403 for the role, 401 without a token), in problem+json
      const target = PHASES.find((candidate) => candidate !== phase.current) ?? 'ideas';
      const refused = await postPhase(
        { to: target, reason: 'Tentative sans le rôle requis' },
        await staffToken(stack, 'coordinator'),
      );
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(((await refused.json()) as { code: string }).code).toBe('forbidden');
      const anonymous = await postPhase({ to: target, reason: 'Tentative sans connexion' });
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { code: string }).code).toBe('unauthenticated');
      expect((await publicPhase()).current).toBe(phase.current);

      // Sign-out brings back the sign-in page and forgets the token
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.getByText('Vous êtes déconnecté·e.').waitFor();
      await page.goto(`${stack.siteUrl}/staff/back-office.html`);
      await page.waitForURL(/\/staff\/index\.html$/);
    } finally {
      await context.close();
    }
  });
});
