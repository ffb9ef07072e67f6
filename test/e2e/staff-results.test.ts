import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { api, eventually, staffToken, waitForBus } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { typeStaffCredentials } from '../support/journey.ts';
import { openVote } from '../support/voting.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
type StaffAccount = (typeof stack.staff)[number];

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The text as rendered (paragraphs apart, spaces collapsed): textContent would glue the paragraphs together. */
async function shown(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, with its paragraph breaks, is what people read
  return normalizeSpaces(await locator.innerText());
}

function account(role: string): StaffAccount {
  const found = stack.staff.find((staff) => staff.role === role);
  if (!found) throw new Error(`No demo account with role ${role}`);
  return found;
}

/** Casts one ballot per voter in their envelope (the first 3 projects by id) and returns the receipt codes. */
async function castBallots(voters: SeededCitizen[]): Promise<string[]> {
  const receipts: string[] = [];
  for (const voter of voters) {
    const ballot = await api(stack, 'GET', `${editionPath}/ballot`, { token: voter.token });
    const envelope = ballot.body.envelopes[0] as { id: string; projects: { id: string }[] };
    const ids = envelope.projects.map((p) => p.id).sort();
    const response = await api(stack, 'POST', `${editionPath}/ballots`, {
      token: voter.token,
      body: { choices: { [envelope.id]: ids.slice(0, 3) } },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    receipts.push(response.body.receipt);
  }
  return receipts;
}

/** Signs in through the real sign-in page; lands on the back-office home. */
async function signIn(page: Page, user: StaffAccount): Promise<void> {
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
  await page.getByRole('heading', { level: 2, name: 'Phase de l’édition' }).waitFor();
}

/** Moves the phase with the back-office form: reason, confirmation, then the success notice. */
async function changePhase(page: Page, to: string, reason: string): Promise<void> {
  await page.getByLabel('Nouvelle phase').selectOption(to);
  await page.getByLabel('Motif du changement').fill(reason);
  await page.getByRole('button', { name: 'Changer de phase', exact: true }).click();
  await page.getByRole('button', { name: 'Oui, changer de phase' }).click();
  await page.getByRole('status').filter({ hasText: 'Phase modifiée' }).waitFor();
}

async function axeAtBothWidths(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
  const desktop = page.viewportSize();
  await page.setViewportSize(PHONE_VIEWPORT);
  await expectNoAxeViolations(page);
  // Nothing wider than the phone: no horizontal scrolling
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
    PHONE_VIEWPORT.width,
  );
  if (desktop) await page.setViewportSize(desktop);
}

let browser: Browser;
let receipts: string[];

beforeAll(async () => {
  browser = await launchBrowser();
  // Prepare: a running vote, four ballots in Nantes
  await openVote(stack, factory.documents);
  receipts = await castBallots(await factory.createMany('nantes', 4));
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

describe('staff results page and receipt check: a whole count lived through the pages', () => {
  it('closes the vote from the phase form; the « Résultats » phase alone publishes nothing', async () => {
    const { context, page } = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    const visitor = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Act: the admin closes the vote, then moves to « Résultats », with the form (reason and confirmation)
      await signIn(page, account('admin'));
      const form = page.getByRole('region', { name: 'Changement de phase' });
      await form.waitFor();
      expect(await shown(page.locator('main'))).not.toContain('développement');
      await changePhase(page, 'counting', 'Clôture du vote à la date prévue');
      await waitForBus(stack);
      await eventually(async () => {
        const staff = await api(stack, 'GET', `${editionPath}/staff/results`, {
          token: await staffToken(stack, 'admin'),
        });
        return staff.status === 200 ? staff : undefined;
      }, 30_000);
      await changePhase(page, 'results', 'Annonce des résultats prévue au calendrier');
      await waitForBus(stack);
      await axeAtBothWidths(page);

      // Assess: the public still sees nothing, and the receipt page says the count is not published
      await visitor.page.goto(`${stack.siteUrl}/resultats.html`);
      await visitor.page.getByRole('alert').getByText('Résultats non publiés').waitFor();
      await visitor.page.goto(`${stack.siteUrl}/recu.html`);
      await visitor.page.getByLabel('Code de reçu').fill(receipts[0] ?? '');
      await visitor.page.getByRole('button', { name: 'Vérifier' }).click();
      await visitor.page.getByText('Le dépouillement n’est pas encore publié.').waitFor();
      await expectNoAxeViolations(visitor.page);
    } finally {
      await visitor.context.close();
      await context.close();
    }
  });

  it('lets the admin review, recount and publish from the staff page, with the audit by role and name', async () => {
    const { context, page } = await openPage(browser, { viewport: { width: 1280, height: 900 } });
    const admin = account('admin');
    try {
      // Prepare: from the back-office home, the link to the new page
      await signIn(page, admin);
      await page.getByRole('link', { name: 'Résultats du dépouillement' }).first().click();
      await page.waitForURL(/\/staff\/resultats\.html$/);
      const nantes = page.getByRole('region', { name: 'Nantes' });
      await nantes.waitFor();

      // Assess: what the public will see, before it can
      const state = page.getByRole('region', { name: 'État des résultats' });
      expect(await shown(state)).toContain('Non publiés');
      expect(await shown(nantes)).toMatch(/\d+ bulletins? comptés?/);
      expect(await nantes.getByText('Lauréat', { exact: true }).count()).toBeGreaterThan(0);
      expect(await shown(nantes.locator('.funded-line'))).toContain('Ligne de financement');
      expect(await shown(nantes)).toMatch(/ballots-nantes\.pb\) : SHA-256 [0-9a-f]{64}/);
      const files = await shown(page.locator('#sr-files'));
      expect(files).toMatch(/results\.json SHA-256 [0-9a-f]{64}/);
      const audit = page.getByRole('region', { name: 'Historique' });
      expect(await shown(audit)).toContain('Dépouillement à la clôture du vote Par : calcul automatique');
      await axeAtBothWidths(page);

      // Act 1: a recount without a reason is refused next to the field
      await page.getByRole('button', { name: 'Recompter', exact: true }).click();
      await page.locator('#sr-recount-reason-error').filter({ hasText: /\S/ }).waitFor();
      expect(await page.getByLabel('Motif du recomptage').getAttribute('aria-invalid')).toBe('true');
      await expectNoAxeViolations(page);

      // Act 2: a recount with a reason
      await page.getByLabel('Motif du recomptage').fill('Contrôle demandé par le comité citoyen');
      await page.getByRole('button', { name: 'Recompter', exact: true }).click();
      await page.getByText('Recomptage terminé : les résultats sont identiques.').waitFor();
      // Assess 2: in the audit, with who (role and a readable name) and why
      const recountLine = audit.getByRole('listitem').filter({ hasText: 'Recomptage' }).first();
      expect(await shown(recountLine)).toContain(
        `Recomptage — résultats identiques Par : ${admin.email} (Administration de l’édition) Motif : Contrôle demandé par le comité citoyen`,
      );

      // Act 3: publication asks for a confirmation; cancelling publishes nothing
      await page.getByLabel('Motif de la publication').fill('Résultats vérifiés par le comité citoyen');
      await page.getByRole('button', { name: 'Publier les résultats' }).click();
      const ask = page.locator('#sr-publish-confirm-text');
      await ask.waitFor();
      expect(await shown(ask)).toContain('définitive');
      await axeAtBothWidths(page);
      await page.getByRole('button', { name: 'Annuler', exact: true }).click();
      expect((await api(stack, 'GET', `${editionPath}/results`)).status).toBe(403);
      await page.getByRole('button', { name: 'Publier les résultats' }).click();
      await page.getByRole('button', { name: 'Oui, publier maintenant' }).click();

      // Assess 3: published, audited, no second publication; never a raw id on the page
      await page.getByText('Les résultats sont publiés').waitFor();
      expect(await shown(state)).toMatch(/Publiés le .+ — motif : Résultats vérifiés par le comité citoyen/);
      const publishLine = audit.getByRole('listitem').filter({ hasText: 'Publication des résultats' });
      expect(await shown(publishLine)).toContain(
        `Par : ${admin.email} (Administration de l’édition) Motif : Résultats vérifiés par le comité citoyen`,
      );
      expect(await page.getByRole('region', { name: 'Publier les résultats' }).count()).toBe(0);
      // A recount stays possible after the publication (audited, it replaces the figures if they change).
      expect(await page.getByRole('region', { name: 'Recompter les bulletins' }).isVisible()).toBe(true);
      expect(await shown(page.locator('main'))).not.toMatch(UUID);
      await axeAtBothWidths(page);
      expect((await api(stack, 'GET', `${editionPath}/results`)).status).toBe(200);
    } finally {
      await context.close();
    }
  });

  it('shows a coordinator the results and the audit, without the publish and recount forms', async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await signIn(page, account('coordinator'));
      await page.goto(`${stack.siteUrl}/staff/resultats.html`);
      await page.getByRole('region', { name: 'Nantes' }).waitFor();
      await page.getByRole('region', { name: 'Historique' }).getByText('Publication des résultats').waitFor();
      expect(await page.locator('form:visible').count()).toBe(0);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });

  it('lets a voter check a receipt typed in any case, with spaces, by a POST that keeps the code out of URLs', async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    const code = receipts[1] ?? '';
    const bare = code.replaceAll('-', '');
    const urls: string[] = [];
    page.on('request', (request) => urls.push(request.url()));
    try {
      // Prepare: from the results page
      await page.goto(`${stack.siteUrl}/resultats.html`);
      await page.getByRole('region', { name: 'Nantes' }).waitFor();
      await page.getByRole('link', { name: 'Vérifiez avec votre code de reçu' }).click();
      await page.waitForURL(/\/recu\.html$/);

      // Act 1: the code as a voter may type it
      const typed = `${bare.slice(0, 4)} ${bare.slice(4, 8)} ${bare.slice(8)}`.toLowerCase();
      await page.getByLabel('Code de reçu').fill(typed);
      await page.getByRole('button', { name: 'Vérifier' }).click();

      // Assess 1: counted, in which envelope, in the results published on which date
      const counted = page.getByRole('status').filter({ hasText: 'Votre bulletin a été compté' });
      await counted.waitFor();
      expect(await shown(counted)).toMatch(
        new RegExp(`code ${code}.*Enveloppe : Nantes — dans les résultats publiés le .+\\d{4}`),
      );
      await axeAtBothWidths(page);

      // Act 2: a well-formed code of no counted ballot
      await page.getByLabel('Code de reçu').fill('WXYW-XYWX-YWXY');
      await page.getByRole('button', { name: 'Vérifier' }).click();
      await page.getByText('Aucun bulletin compté avec le code WXYW-XYWX-YWXY.').waitFor();
      await expectNoAxeViolations(page);

      // Act 3: not a receipt code at all
      await page.getByLabel('Code de reçu').fill('abc');
      await page.getByRole('button', { name: 'Vérifier' }).click();
      await page.locator('#receipt-code-error').filter({ hasText: /\S/ }).waitFor();
      expect(await page.getByLabel('Code de reçu').getAttribute('aria-invalid')).toBe('true');
      await axeAtBothWidths(page);

      // Assess: the code never travelled in an address
      expect(urls.some((url) => url.includes('/receipts/check'))).toBe(true);
      expect(
        urls.filter((url) =>
          url
            .toUpperCase()
            .replace(/[^A-Z0-9]/g, '')
            .includes(bare),
        ),
      ).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lets the admin annul the vote with a reason after a confirmation; the public sees it, nothing reopens', async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    const visitor = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Prepare
      await signIn(page, account('admin'));
      await page.goto(`${stack.siteUrl}/staff/resultats.html`);
      const annul = page.getByRole('region', { name: 'Annuler le vote' });
      await annul.waitFor();
      // Act 1: too short a reason is refused by the field
      await page.getByLabel('Motif de l’annulation').fill('Fraude');
      await annul.getByRole('button', { name: 'Annuler le vote' }).click();
      await page
        .locator('#sr-annul-reason-error')
        .filter({ hasText: /10 caractères/ })
        .waitFor();
      // Act 2: a reason, then the confirmation
      await page.getByLabel('Motif de l’annulation').fill('Fraude avérée constatée par le comité citoyen');
      await annul.getByRole('button', { name: 'Annuler le vote' }).click();
      await page.locator('#sr-annul-confirm-text').waitFor();
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Oui, annuler le vote' }).click();
      // Assess: audited, no more forms, and the phase did not move back
      await page.getByText('Le vote est annulé').waitFor();
      const audit = page.getByRole('region', { name: 'Historique' });
      expect(await shown(audit.getByRole('listitem').filter({ hasText: 'Annulation du vote' }))).toContain(
        'Motif : Fraude avérée constatée par le comité citoyen',
      );
      expect(await page.locator('form:visible').count()).toBe(0);
      await axeAtBothWidths(page);
      expect((await api(stack, 'GET', editionPath)).body.phase.current).toBe('results');
      // The public results page says so, with the reason
      await visitor.page.goto(`${stack.siteUrl}/resultats.html`);
      await visitor.page
        .getByText('Fraude avérée constatée par le comité citoyen', { exact: false })
        .waitFor();
      await expectNoAxeViolations(visitor.page);
    } finally {
      await visitor.context.close();
      await context.close();
    }
  });
});
