import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toInstant } from '../../shared/time/zoned.ts';
import { api, eventually, staffToken } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory } from '../support/citizens.ts';
import { clockTo } from '../support/journey.ts';
import '../support/stack-context.ts';

/**
 * « Idées » says how fresh its list is (« Liste mise à jour il y a 12 s ») by the server's clock, never the
 * browser's: under `npm start` the local clock sits in 2023 while the browser's is today's, and a phone may be
 * set to any date. A `.clock.test.ts` file: the stack's clock is moved to the call for ideas, the browser's
 * is put years away from it on both sides.
 */
const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
const edition = (await api(stack, 'GET', editionPath)).body.edition;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  await clockTo(stack, new Date(toInstant(edition.calendar.ideasOpen, edition.timeZone).getTime() + 60_000));
  // One published idea: the static list (data/ideas.json) is written, with its server-side `generatedAt`.
  const author = await factory.create('nantes');
  const submitted = await api(stack, 'POST', `${editionPath}/ideas`, {
    token: author.token,
    headers: { 'idempotency-key': randomUUID() },
    body: {
      title: `Un composteur de quartier ${randomUUID().slice(0, 4)}`,
      description: 'Un composteur partagé au pied des immeubles, tenu par les habitants volontaires.',
      theme: edition.themes[0].id,
      territory: 'nantes',
      commune: '44109',
      estimatedCost: 3_000,
      proposer: { kind: 'individual' },
    },
  });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
  const published = await api(stack, 'POST', `${editionPath}/staff/ideas/${submitted.body.id}/moderation`, {
    token: await staffToken(stack, 'moderator'),
    body: { action: 'publish' },
  });
  expect(published.status).toBe(200);
  await eventually(async () => {
    const file = await fetch(`${stack.siteUrl}/data/ideas.json`, { cache: 'no-store' });
    return file.ok && JSON.stringify(await file.json()).includes(submitted.body.id) ? true : undefined;
  }, 30_000);
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

/**
 * Years taken off the browser's `Date` before any script of the page runs (playwright's `clock.install` is not
 * usable here: in a `.clock.test.ts` process its own reference time is the shifted one).
 */
const BROWSER_BEHIND = (years: number) => `(() => {
  const shift = -${years} * 365 * 86400000;
  const Real = Date;
  class Behind extends Real {
    constructor(...args) { if (args.length === 0) super(Real.now() + shift); else super(...args); }
    static now() { return Real.now() + shift; }
  }
  globalThis.Date = Behind;
})();`;

describe('« Idées »: how fresh the list is, by the server’s clock', () => {
  // The stack's clock is in 2023 (the demo's call for ideas): today's browser is years ahead of it, as under
  // `npm start`; a browser set twelve years back is years behind it.
  for (const [label, behindYears] of [
    ['years ahead of the server', 0],
    ['years behind the server', 12],
  ] as const) {
    it(`says « mis à jour il y a N s » (within a minute), browser clock ${label}`, async () => {
      // Prepare
      const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
      try {
        if (behindYears > 0) await context.addInitScript(BROWSER_BEHIND(behindYears));
        // Act
        await page.goto(`${stack.siteUrl}/idees.html`);
        const fresh = page.locator('#ideas-fresh');
        await fresh.getByText(/Liste mise à jour/).waitFor();
        // The browser's clock is years from the stack's (this process's `Date` follows the stack's clock).
        const browserYear = await page.evaluate(() => new Date().getUTCFullYear());
        expect(Math.abs(browserYear - new Date().getUTCFullYear())).toBeGreaterThanOrEqual(3);
        // Assess: seconds since the list was written, as the server counts them.
        const text = normalizeSpaces(await fresh.textContent());
        const seconds = Number(text.match(/Liste mise à jour il y a (\d+) s\b/)?.[1]);
        expect(seconds, text).toBeGreaterThanOrEqual(0);
        expect(seconds, text).toBeLessThan(60);
        await expectNoAxeViolations(page);
      } finally {
        await context.close();
      }
    });
  }
});
