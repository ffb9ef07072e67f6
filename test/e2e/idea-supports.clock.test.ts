import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { putEditionConfig } from '../../shared/edition/edition-store.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { toInstant } from '../../shared/time/zoned.ts';
import { api } from '../support/api.ts';
import { launchBrowser, normalizeSpaces, openPage, PHONE_VIEWPORT } from '../support/browser.ts';
import { citizenFactory } from '../support/citizens.ts';
import { seedIdea } from '../support/idea-seeds.ts';
import { uniqueEmail, uniquePerson } from '../support/identity.ts';
import { axeAtBothWidths, clockTo, signInCitizenThroughPages } from '../support/journey.ts';
import '../support/stack-context.ts';

/**
 * Supports (« Soutenir cette idée ») in the browser. The demo edition has them off (`supports.enabled: false`), so
 * this file deploys its own fresh edition with them on: the same config file with `supports.enabled: true`,
 * written as the deploy-time seed writes it (`putEditionConfig`), before the call for ideas opens. A
 * `.clock.test.ts` file: the call opens by its schedule, and the functions' config cache (30 s) has long expired
 * by then.
 */
const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
let browser: Browser;
let ideaId: string;
const title = `Des bancs sous les platanes du cours Cambronne ${Date.now().toString(36)}`;

beforeAll(async () => {
  browser = await launchBrowser();
  const file = await readEditionFile(`editions/${stack.edition}.json`);
  if (!file.ok) throw new Error(file.errors.join('\n'));
  expect(file.config.supports.enabled, 'the demo edition has supports off').toBe(false);
  await putEditionConfig(factory.documents, stack.tableName, { ...file.config, supports: { enabled: true } });
  await clockTo(
    stack,
    new Date(toInstant(file.config.calendar.ideasOpen, file.config.timeZone).getTime() + 60_000),
  );
  const [author] = await factory.createMany('nantes', 1);
  ideaId = await seedIdea(stack, factory.documents, {
    authorId: author?.citizenId as string,
    status: 'published',
    title,
    territory: 'nantes',
    theme: 'environnement-biodiversite',
  });
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

describe('« Soutenir cette idée »: supports lived in the browser', () => {
  it('lets a verified inhabitant support an idea once, see the count, take the support back; a visitor sees the count only', {
    timeout: 120_000,
  }, async () => {
    expect((await api(stack, 'GET', editionPath)).body.edition.supports.enabled).toBe(true);
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    const visitor = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Prepare: an inhabitant verified through « Vérifier mon identité », then the idea's page.
      await signInCitizenThroughPages(page, stack, uniqueEmail('soutien'), {
        ...uniquePerson({ firstName: 'Solène' }),
        postcode: '44000',
      });
      await page.goto(`${stack.siteUrl}/idee.html?id=${ideaId}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      const count = page.locator('#supports-count');
      expect(normalizeSpaces(await count.textContent())).toBe('0 soutien');
      expect(
        await page.getByRole('button', { name: 'Soutenir cette idée' }).getAttribute('aria-pressed'),
      ).toBe('false');
      await axeAtBothWidths(page);

      // Act: support it.
      await page.getByRole('button', { name: 'Soutenir cette idée' }).click();

      // Assess: one support, the button says how to take it back, and it stays so after a reload.
      await page.getByRole('button', { name: 'Retirer mon soutien' }).waitFor();
      expect(normalizeSpaces(await count.textContent())).toBe('1 soutien');
      expect(
        await page.getByRole('button', { name: 'Retirer mon soutien' }).getAttribute('aria-pressed'),
      ).toBe('true');
      await axeAtBothWidths(page);
      await page.reload();
      await page.getByRole('button', { name: 'Retirer mon soutien' }).waitFor();
      expect(normalizeSpaces(await count.textContent())).toBe('1 soutien');

      // A visitor sees the count, and no button that would act.
      await visitor.page.goto(`${stack.siteUrl}/idee.html?id=${ideaId}`);
      await visitor.page.getByRole('heading', { level: 1, name: title }).waitFor();
      expect(normalizeSpaces(await visitor.page.locator('#supports-count').textContent())).toBe('1 soutien');
      expect(await visitor.page.getByRole('button', { name: 'Soutenir cette idée' }).count()).toBe(0);
      await axeAtBothWidths(visitor.page);

      // Act: take it back.
      await page.getByRole('button', { name: 'Retirer mon soutien' }).click();
      await page.getByRole('button', { name: 'Soutenir cette idée' }).waitFor();
      expect(normalizeSpaces(await count.textContent())).toBe('0 soutien');
      const stored = await api(stack, 'GET', `${editionPath}/ideas/${ideaId}`);
      expect(stored.body.supportsCount).toBe(0);
    } finally {
      await visitor.context.close();
      await context.close();
    }
  });
});
