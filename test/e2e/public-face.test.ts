import { readdir, readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';

const stack = inject('stack');
const DESKTOP_VIEWPORT = { width: 1280, height: 800 };

/** The edition file the stack was started from, read from disk: what the pages show must come from it. */
let edition: EditionConfig;
let browser: Browser;

beforeAll(async () => {
  edition = JSON.parse(await readFile(`editions/${stack.edition}.json`, 'utf8')) as EditionConfig;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** The RGB value the browser computes for a `#rrggbb` colour. */
function rgb(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

async function text(page: Page, selector: string): Promise<string> {
  return normalizeSpaces(await page.locator(selector).first().textContent());
}

/** Each footer link, what its page's title is, and one piece of the edition file it must show. */
function legalPages() {
  const { legal } = edition;
  return [
    {
      link: 'Mentions légales',
      heading: 'Mentions légales',
      shows: [legal.publisher.director, legal.host.name],
    },
    {
      link: 'Données personnelles',
      heading: 'Données personnelles',
      shows: [
        legal.controller.name,
        legal.dpo.email,
        legal.personalData.legalBasis,
        ...legal.personalData.retention.map((row) => row.duration),
      ],
    },
    {
      link: /^Accessibilité/,
      heading: 'Déclaration d’accessibilité',
      shows: [
        legal.accessibility.contact.email,
        ...legal.accessibility.nonConformities,
        'Défenseur des droits',
      ],
    },
    { link: 'Contact', heading: 'Contact', shows: [legal.contact.email] },
    { link: 'Plan du site', heading: 'Plan du site', shows: ['Proposer une idée', 'Mentions légales'] },
  ];
}

describe('the public face of the Département', () => {
  for (const [label, viewport] of [
    ['desktop', DESKTOP_VIEWPORT],
    ['360 px phone', PHONE_VIEWPORT],
  ] as const) {
    it(`reaches every legal page from the footer, filled from the edition file (${label})`, async () => {
      const { context, page } = await openPage(browser, { viewport });
      try {
        for (const legalPage of legalPages()) {
          await page.goto(stack.siteUrl);
          // The home fills itself from the API: let it settle, so that the footer does not move under the click.
          await page.waitForLoadState('networkidle');
          const footer = page.getByRole('navigation', { name: 'Informations sur le site' });
          await footer.getByRole('link', { name: legalPage.link }).click();
          await page.getByRole('heading', { level: 1, name: legalPage.heading }).waitFor();
          const main = page.locator('main');
          // The data-driven pages show their content once the edition is read.
          await main
            .getByText(legalPage.shows[0] as string, { exact: false })
            .first()
            .waitFor();
          const content = normalizeSpaces(await main.textContent());
          for (const expected of legalPage.shows) expect(content).toContain(normalizeSpaces(expected));

          await page.locator('header [data-face="name"]', { hasText: edition.identity.name }).waitFor();
          expect(await text(page, 'footer [data-face="name"]')).toBe(edition.identity.name);
          expect(await page.locator('main').evaluate((m) => m.scrollWidth <= m.clientWidth + 1)).toBe(true);
          await expectNoAxeViolations(page);
        }

        // The RGAA mention in the footer, the edition's colours and its logo.
        const status = edition.legal.accessibility.status.replace(/-/g, ' ');
        await page.locator('footer [data-face="accessibility"]', { hasText: status }).waitFor();
        // Set from the edition (the stylesheet's default may be the same colour), then used by the header.
        const properties = await page.evaluate(() => {
          const style = document.documentElement.style;
          return ['--brand', '--brand-dark', '--brand-tint', '--on-primary', '--focus'].map((name) =>
            style.getPropertyValue(name),
          );
        });
        const { colours } = edition.identity;
        expect(properties).toEqual([
          colours.primary,
          colours.primaryDark,
          colours.primaryTint,
          colours.onPrimary,
          colours.focus,
        ]);
        expect(
          await page.locator('.site-header').evaluate((header) => getComputedStyle(header).backgroundColor),
        ).toBe(rgb(colours.primary));
        const logo = page.locator('header img.site-logo');
        expect(await logo.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      } finally {
        await context.close();
      }
    });
  }

  it('names the Département on every page, public and staff, and links the legal pages from each footer', async () => {
    const publicPages = (await readdir('web/src')).filter((name) => name.endsWith('.html'));
    const staffPages = (await readdir('web/src/staff')).filter((name) => name.endsWith('.html'));
    expect(publicPages).toEqual(
      expect.arrayContaining([
        'mentions-legales.html',
        'donnees-personnelles.html',
        'accessibilite.html',
        'plan-du-site.html',
        'contact.html',
      ]),
    );
    const { context, page } = await openPage(browser);
    try {
      for (const path of [...publicPages, ...staffPages.map((name) => `staff/${name}`)]) {
        await page.goto(`${stack.siteUrl}/${path}`);
        await page
          .locator('footer [data-face="name"]', { hasText: edition.identity.name })
          .waitFor()
          .catch(() => {
            throw new Error(`${path}: the footer does not name ${edition.identity.name}`);
          });
        expect(await text(page, 'header [data-face="name"]'), path).toBe(edition.identity.name);
        const links = page.getByRole('navigation', { name: 'Informations sur le site' }).getByRole('link');
        const hrefs = await links.evaluateAll((anchors) =>
          anchors.map((a) => new URL((a as HTMLAnchorElement).href).pathname),
        );
        expect(hrefs, path).toEqual([
          '/plan-du-site.html',
          '/contact.html',
          '/accessibilite.html',
          '/mentions-legales.html',
          '/donnees-personnelles.html',
        ]);
        expect(await page.getByRole('link', { name: 'Aller au contenu' }).count(), path).toBe(1);
      }
    } finally {
      await context.close();
    }
  });
});
