import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { api, movePhase, staffToken } from '../support/api.ts';
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

interface BallotBody {
  rules: Record<string, unknown>;
  envelopes: { id: string; kind: string; amount: number; projects: { id: string; cost: number }[] }[];
}
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);

let browser: Browser;
let admin: string;

const setPhase = (to: string) => movePhase(stack, admin, to, `Essai des états de la page de vote : ${to}`);

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await staffToken(stack, 'admin');
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

/** A verified inhabitant of Nantes on the vote page, signed in in this tab (as the identity page leaves it). */
async function openVotePage(
  token: string,
  viewport = PHONE_VIEWPORT,
): Promise<{ page: Page; close(): Promise<void> }> {
  const { context, page } = await openPage(browser, { viewport });
  await page.goto(stack.siteUrl);
  await page.evaluate((value) => sessionStorage.setItem('bp.citizen.token', value), token);
  await page.goto(`${stack.siteUrl}/vote.html`);
  return { page, close: () => context.close() };
}

/** The state box of the page, once it says something. */
async function stateText(page: Page): Promise<string> {
  const state = page.locator('#vote-state');
  await state.getByRole('heading', { level: 2 }).waitFor();
  return normalizeSpaces(await state.textContent());
}

describe('« Voter » says where the vote stands before any ticking', () => {
  it('before the vote: not open yet, with the opening date, and no ballot to fill', async () => {
    // Prepare: the phase before the vote.
    await setPhase('ballot-preparation');
    const citizen = await factory.create('nantes');
    const { page, close } = await openVotePage(citizen.token);
    try {
      // Assess
      const text = await stateText(page);
      expect(text).toMatch(/Le vote n’est pas (encore )?ouvert/);
      expect(text).toMatch(/ouvr\w* le \w+ \d{1,2} \w+ \d{4}/);
      expect(await page.getByRole('checkbox').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Vérifier mes choix' }).isVisible()).toBe(false);
      expect(normalizeSpaces(await page.locator('#vote-error').textContent())).toBe('');
      await expectNoAxeViolations(page);
    } finally {
      await close();
    }
  });

  it('during the vote: enforces the number of choices live, so "Vérifier mes choix" cannot reach a refused ballot', async () => {
    // Prepare
    await openVote(stack, factory.documents);
    const citizen = await factory.create('nantes');
    const { page, close } = await openVotePage(citizen.token);
    try {
      const territory = page.getByRole('group', { name: /Enveloppe de votre territoire/ });
      await territory.waitFor();
      const count = territory.locator('.count');
      // An empty envelope is an abstention, not "0 projet choisi (de 3 à 10)".
      expect(normalizeSpaces(await count.textContent())).toContain('Aucun projet choisi');
      expect(normalizeSpaces(await page.locator('#envelopes').textContent())).not.toMatch(/\b0\s+projet/);
      await expectNoAxeViolations(page);

      // Act 1: one project only (the rules ask for 3 to 10)
      const boxes = territory.getByRole('checkbox');
      await boxes.nth(0).check();
      await page.getByRole('button', { name: 'Vérifier mes choix' }).click();

      // Assess 1: stopped before the confirmation, the reason under the envelope
      await territory
        .locator('.field-error')
        .getByText(/au moins 3 projets/)
        .waitFor();
      expect(await page.getByRole('heading', { name: 'Confirmez votre vote' }).isVisible()).toBe(false);
      await expectNoAxeViolations(page);

      // Act 2: three, then confirm
      await boxes.nth(1).check();
      await boxes.nth(2).check();
      expect(normalizeSpaces(await territory.locator('.field-error').textContent())).toBe('');
      await page.getByRole('button', { name: 'Vérifier mes choix' }).click();
      await page.getByRole('heading', { level: 2, name: 'Confirmez votre vote' }).waitFor();
      await expectNoAxeViolations(page);
    } finally {
      await close();
    }
  });

  /** Opens the vote page with the ballot's rules and amounts rewritten (the demo has 6 projects per envelope). */
  async function withBallot(token: string, rewrite: (ballot: BallotBody) => void) {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    await page.route('**/ballot', async (route) => {
      const response = await route.fetch();
      const ballot = (await response.json()) as BallotBody;
      rewrite(ballot);
      await route.fulfill({ response, json: ballot });
    });
    await page.goto(stack.siteUrl);
    await page.evaluate((value) => sessionStorage.setItem('bp.citizen.token', value), token);
    await page.goto(`${stack.siteUrl}/vote.html`);
    return { page, close: () => context.close() };
  }

  it('at the maximum number of choices, the other projects cannot be ticked', async () => {
    // Prepare: at most 4 choices
    await openVote(stack, factory.documents);
    const citizen = await factory.create('nantes');
    const { page, close } = await withBallot(citizen.token, (ballot) => {
      ballot.rules = { kind: 'approval', minChoices: 3, maxChoices: 4 };
    });
    try {
      const territory = page.getByRole('group', { name: /Enveloppe de votre territoire/ });
      await territory.waitFor();
      const boxes = territory.getByRole('checkbox');
      const total = await boxes.count();
      expect(total).toBeGreaterThan(4);
      // Act
      for (let index = 0; index < 4; index++) await boxes.nth(index).check();
      // Assess
      expect(normalizeSpaces(await territory.locator('.count').textContent())).toContain('c’est le maximum');
      for (let index = 4; index < total; index++) expect(await boxes.nth(index).isDisabled()).toBe(true);
      await expectNoAxeViolations(page);
      // Unticking one frees the others again
      await boxes.nth(0).uncheck();
      expect(await boxes.nth(4).isDisabled()).toBe(false);
    } finally {
      await close();
    }
  });

  it('with a budget, a project that no longer fits cannot be ticked, and the rest is shown', async () => {
    // Prepare: a budget ballot whose territory envelope holds its cheapest project and a little more
    await openVote(stack, factory.documents);
    const citizen = await factory.create('nantes');
    let cheapest = 0;
    const { page, close } = await withBallot(citizen.token, (ballot) => {
      ballot.rules = { kind: 'knapsack' };
      const envelope = ballot.envelopes.find((e) => e.kind === 'territory');
      if (!envelope) throw new Error('no territory envelope');
      envelope.projects.sort((a, b) => a.cost - b.cost);
      cheapest = envelope.projects[0]?.cost ?? 0;
      envelope.amount = cheapest + 1;
    });
    try {
      const territory = page.getByRole('group', { name: /Enveloppe de votre territoire/ });
      await territory.waitFor();
      const boxes = territory.getByRole('checkbox');
      // Act
      await boxes.nth(0).check();
      // Assess
      expect(normalizeSpaces(await territory.locator('.count').textContent())).toMatch(/reste 1\s*€/);
      const total = await boxes.count();
      for (let index = 1; index < total; index++) expect(await boxes.nth(index).isDisabled()).toBe(true);
      await expectNoAxeViolations(page);
    } finally {
      await close();
    }
  });

  it('after a ballot: "already voted" at once, with the link to check the receipt', async () => {
    // Prepare: a ballot cast for this person
    await openVote(stack, factory.documents);
    const citizen = await factory.create('nantes');
    const ballot = (await api(stack, 'GET', `${editionPath}/ballot`, { token: citizen.token })).body;
    const envelope = ballot.envelopes.find((e: { kind: string }) => e.kind === 'territory');
    const cast = await api(stack, 'POST', `${editionPath}/ballots`, {
      token: citizen.token,
      headers: { 'Idempotency-Key': randomUUID() },
      body: {
        choices: { [envelope.id]: envelope.projects.slice(0, 3).map((p: { id: string }) => p.id) },
        emailReceipt: false,
      },
    });
    expect(cast.status, JSON.stringify(cast.body)).toBe(201);
    const { page, close } = await openVotePage(citizen.token);
    try {
      // Assess
      const text = await stateText(page);
      expect(text).toContain('Vous avez déjà voté');
      const link = page.locator('#vote-state').getByRole('link', { name: 'vérifier mon reçu' });
      expect(await link.getAttribute('href')).toBe('recu.html');
      expect(await page.getByRole('checkbox').count()).toBe(0);
      await expectNoAxeViolations(page);
    } finally {
      await close();
    }
  });

  it('while paused: says so, and no ballot to fill', async () => {
    // Prepare
    await openVote(stack, factory.documents);
    const paused = await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
      token: admin,
      body: { action: 'pause', reason: 'Essai : suspension du vote' },
    });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    const citizen = await factory.create('nantes');
    const { page, close } = await openVotePage(citizen.token, { width: 1280, height: 900 });
    try {
      // Assess
      expect(await stateText(page)).toContain('Le vote est suspendu');
      expect(await page.getByRole('checkbox').count()).toBe(0);
      await expectNoAxeViolations(page);
    } finally {
      await close();
      await api(stack, 'POST', `${editionPath}/staff/vote-window`, {
        token: admin,
        body: { action: 'resume', reason: 'Essai : reprise du vote' },
      });
    }
  });

  it('after the vote: closed, with the way to the results', async () => {
    // Prepare
    await openVote(stack, factory.documents);
    await setPhase('counting');
    const citizen = await factory.create('nantes');
    const { page, close } = await openVotePage(citizen.token);
    try {
      // Assess
      const text = await stateText(page);
      expect(text).toContain('Le vote est clos');
      expect(
        await page
          .locator('#vote-state')
          .getByRole('link', { name: 'Voir les résultats' })
          .getAttribute('href'),
      ).toBe('resultats.html');
      expect(await page.getByRole('checkbox').count()).toBe(0);
      await expectNoAxeViolations(page);
    } finally {
      await close();
    }
  });
});
