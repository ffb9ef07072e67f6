import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoIdeaRepository } from '../../functions/ideas/idea-repository.ts';
import { dynamoSupportRepository } from '../../functions/ideas/support-repository.ts';
import { dynamoEmailLog } from '../../functions/notifications/email-log-repository.ts';
import { dynamoFollowUpRepository } from '../../functions/results/follow-up-repository.ts';
import { api } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { seedPublishedIdea } from '../support/instruction.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const factory = await citizenFactory(stack);
const documents = factory.documents;
let browser: Browser;
let citizen: SeededCitizen;
const ideaTitle = `Un jardin de pluie rue ${randomUUID().slice(0, 6)}`;
const supportedTitle = `Des fontaines à eau ${randomUUID().slice(0, 6)}`;

beforeAll(async () => {
  browser = await launchBrowser();
  // A citizen with something in every context: a draft, an idea, a support, a follow, the results-news
  // opt-in and an email, each written by its own context's repository.
  citizen = await factory.create('nantes');
  const at = new Date().toISOString();
  const ideas = dynamoIdeaRepository(documents, stack.tableName, stack.edition);
  await ideas.putDraft(citizen.citizenId, { title: 'Un brouillon de piste cyclable' }, at);
  const mine = await seedPublishedIdea(stack, documents, {
    authorIds: [citizen.citizenId],
    territory: 'nantes',
    theme: 'nature',
    title: ideaTitle,
  });
  await documents.send(
    new PutCommand({
      TableName: stack.tableName,
      Item: {
        pk: `IDEAAUTHOR#${citizen.citizenId}`,
        sk: `IDEA#${mine}`,
        entity: 'IdeaAuthor',
        version: 1,
        ideaId: mine,
        creditedAt: at,
      },
    }),
  );
  const other = await seedPublishedIdea(stack, documents, {
    authorIds: [randomUUID()],
    territory: 'nantes',
    theme: 'nature',
    title: supportedTitle,
  });
  await dynamoSupportRepository(documents, stack.tableName).add(other, citizen.citizenId, at);
  const followUp = dynamoFollowUpRepository(documents, stack.tableName, stack.edition);
  await followUp.setResultsNews(citizen.citizenId, true, at);
  await followUp.follow(citizen.citizenId, 'projet-suivi', at);
  const log = dynamoEmailLog(documents, stack.tableName, stack.edition);
  const entry = {
    key: `IdeaPublished#${mine}#citizen:${citizen.citizenId}`,
    template: 'idea-published',
    recipient: `citizen:${citizen.citizenId}`,
    eventId: randomUUID(),
  };
  await log.claim(entry, new Date());
  await log.markSent(entry, 'message-1', new Date());
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

describe('my data: the export is complete', () => {
  it('answers every personal datum in JSON: identity, draft, ideas, supports, follows, opt-in, emails, vote, sign-ins', async () => {
    const me = await api(stack, 'GET', `/api/editions/${stack.edition}/me`, { token: citizen.token });
    expect(me.status).toBe(200);
    expect(me.body.identity).toMatchObject({ citizenId: citizen.citizenId, email: citizen.email });
    expect(me.body.drafts).toEqual([
      { savedAt: expect.any(String), draft: { title: 'Un brouillon de piste cyclable' } },
    ]);
    expect(me.body.ideas).toEqual([
      expect.objectContaining({ title: ideaTitle, role: 'author', status: 'published' }),
    ]);
    expect(me.body.supports).toEqual([expect.objectContaining({ title: supportedTitle })]);
    expect(me.body.follows).toEqual([expect.objectContaining({ projectId: 'projet-suivi' })]);
    expect(me.body.resultsNews).toEqual({ subscribed: true, since: expect.any(String) });
    expect(me.body.emails).toEqual([expect.objectContaining({ template: 'idea-published', status: 'sent' })]);
    expect(me.body.vote).toEqual({ voted: false });
    expect(me.body.signIns).toMatchObject({ kept: false });
  });

  it('shows each section on « Mes données », on a phone, axe-clean', { timeout: 60_000 }, async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      await page.goto(stack.siteUrl);
      await page.evaluate((token) => sessionStorage.setItem('bp.citizen.token', token), citizen.token);
      await page.goto(`${stack.siteUrl}/mes-donnees.html`);
      await page.getByRole('heading', { level: 2, name: 'Ce que nous détenons sur vous' }).waitFor();
      const text = normalizeSpaces(await page.locator('#me').textContent());
      expect(text).toContain(citizen.email);
      expect(text).toContain('Un brouillon de piste cyclable');
      expect(text).toContain(ideaTitle);
      expect(text).toContain('proposée par vous');
      expect(text).toContain(supportedTitle);
      expect(text).toContain('Projet suivi');
      expect(normalizeSpaces(await page.locator('#me-news').textContent())).toMatch(/^Oui, depuis le/);
      expect(normalizeSpaces(await page.locator('#me-emails').textContent())).toMatch(
        /Idée publiée — Envoyé/,
      );
      expect(normalizeSpaces(await page.locator('#me-vote').textContent())).toBe('Vous n’avez pas voté.');
      expect(normalizeSpaces(await page.locator('#me-sign-ins').textContent())).toMatch(
        /ne sont pas conservées/,
      );
      // No raw code of the platform: templates and statuses are in words.
      expect(text).not.toContain('idea-published');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });
});
