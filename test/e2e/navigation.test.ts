import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { movePhase, staffToken } from '../support/api.ts';
import { expectNoAxeViolations, launchBrowser, openPage, PHONE_VIEWPORT } from '../support/browser.ts';

const stack = inject('stack');
const DESKTOP = { width: 1280, height: 900 };

/** Every public page of the site. */
const PUBLIC_PAGES = [
  '',
  'idees.html',
  'idee.html',
  'proposer.html',
  'mes-idees.html',
  'identite.html',
  'vote.html',
  'participation.html',
  'resultats.html',
  'suivi.html',
  'mes-donnees.html',
  'desabonnement.html',
];
/** Checked with axe at both widths (the others share the same header). */
const AXE_PAGES = ['', 'idees.html', 'proposer.html', 'vote.html', 'participation.html', 'mes-donnees.html'];

let browser: Browser;
let admin: string;

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await staffToken(stack, 'admin');
});

afterAll(async () => {
  await browser?.close();
});

/** The main navigation, once it has learnt the phase from the API. */
async function loadNav(page: Page, path: string) {
  await page.goto(`${stack.siteUrl}/${path}`);
  const nav = page.getByRole('navigation', { name: 'Navigation principale' });
  // Attached, not visible: on a desktop the button is not shown.
  await page.locator('#site-nav .nav-toggle').waitFor({ state: 'attached' });
  await page.waitForLoadState('networkidle');
  return nav;
}

/** Names of the links and buttons of the navigation, in order, visible or not. */
function navItems(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('#site-nav a, #site-nav button')].map((item) =>
      (item.textContent ?? '').replace(/\s+/g, ' ').trim(),
    ),
  );
}

describe('the public navigation', () => {
  it('is the same on every public page, folded behind an accessible « Menu » button on a phone, axe-clean', {
    timeout: 180_000,
  }, async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      let reference: string[] | undefined;
      for (const path of PUBLIC_PAGES) {
        // Act
        const nav = await loadNav(page, path);
        const menu = nav.getByRole('button', { name: 'Menu', exact: true });
        const items = await navItems(page);

        // Assess: one navigation, the same everywhere, its links folded on the first screen
        expect(await page.getByRole('navigation', { name: 'Navigation principale' }).count()).toBe(1);
        reference ??= items;
        expect(items, `navigation of /${path}`).toEqual(reference);
        expect(await menu.getAttribute('aria-expanded')).toBe('false');
        const listId = await menu.getAttribute('aria-controls');
        expect(listId).toBeTruthy();
        expect(await page.locator(`#${listId}`).isVisible()).toBe(false);
        expect(await nav.getByRole('link', { name: 'Accueil' }).isVisible()).toBe(false);
        if (AXE_PAGES.includes(path)) await expectNoAxeViolations(page);

        // Act: open it
        await menu.click();
        // Assess: the links show, the button says so, the current page is marked
        expect(await menu.getAttribute('aria-expanded')).toBe('true');
        await nav.getByRole('link', { name: 'Accueil' }).waitFor();
        const current = nav.locator('[aria-current="page"]');
        if ((await current.count()) > 0) {
          const href = await current.first().getAttribute('href');
          expect(href === './' ? '' : href).toBe(path);
        }
        if (AXE_PAGES.includes(path)) await expectNoAxeViolations(page);
      }
      expect(reference?.length ?? 0).toBeLessThanOrEqual(9);
    } finally {
      await context.close();
    }
  });

  it('shows every link at once on a desktop, without the « Menu » button, axe-clean', async () => {
    const { context, page } = await openPage(browser, { viewport: DESKTOP });
    try {
      for (const path of AXE_PAGES) {
        const nav = await loadNav(page, path);
        expect(await page.locator('#site-nav .nav-toggle').count()).toBe(1);
        expect(await page.locator('#site-nav .nav-toggle').isVisible()).toBe(false);
        await nav.getByRole('link', { name: 'Accueil' }).waitFor();
        const links = page.locator('#site-nav a');
        for (let index = 0; index < (await links.count()); index++) {
          expect(await links.nth(index).isVisible()).toBe(true);
        }
        await expectNoAxeViolations(page);
      }
    } finally {
      await context.close();
    }
  });

  it('opens and closes from the keyboard: Enter opens, Escape closes and gives the focus back', async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      const nav = await loadNav(page, 'idees.html');
      const menu = nav.getByRole('button', { name: 'Menu', exact: true });
      await menu.focus();
      await page.keyboard.press('Enter');
      await nav.getByRole('link', { name: 'Accueil' }).waitFor();
      await nav.getByRole('link', { name: 'Accueil' }).focus();
      await page.keyboard.press('Escape');
      await nav.getByRole('link', { name: 'Accueil' }).waitFor({ state: 'hidden' });
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await menu.evaluate((element) => element === document.activeElement)).toBe(true);
    } finally {
      await context.close();
    }
  });

  for (const [phase, action] of [
    ['ideas', 'Proposer une idée'],
    ['vote', 'Voter'],
    ['counting', 'Voir les résultats'],
  ] as const) {
    it(`puts « ${action} » first, visible on a phone without opening the menu, in the ${phase} phase`, async () => {
      // Prepare
      await movePhase(stack, admin, phase, `Essai de la navigation : phase ${phase}`);
      const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
      try {
        // Act
        const nav = await loadNav(page, 'participation.html');
        // Assess
        expect((await navItems(page))[0]).toBe(action);
        const link = nav.getByRole('link', { name: action, exact: true });
        expect(await link.count()).toBe(1);
        expect(await link.isVisible()).toBe(true);
        await expectNoAxeViolations(page);
      } finally {
        await context.close();
      }
    });
  }
});
