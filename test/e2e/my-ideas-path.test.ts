import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/stack-context.ts';
import { movePhase, staffToken } from '../support/api.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { seedIdea } from '../support/idea-seeds.ts';

const stack = inject('stack');
const factory = await citizenFactory(stack);
const documents = factory.documents;
const put = (Item: Record<string, unknown>) =>
  documents.send(new PutCommand({ TableName: stack.tableName, Item }));

const listKey = { pk: `INSTRUCTION#${stack.edition}`, sk: 'BALLOTLIST' };
const resultsKey = { pk: `EDITION#${stack.edition}#RESULTS`, sk: 'RESULTS' };
const suffix = Date.now().toString(36);
const WINNER = `essai-parcours-laureat-${suffix}`;
const LOSER = `essai-parcours-perdant-${suffix}`;

let browser: Browser;
let author: SeededCitizen;
let admin: string;

const TITLES = {
  waiting: `Boîte à livres place du marché ${suffix}`,
  refused: `Téléphérique entre les deux rives ${suffix}`,
  winner: `Jardin partagé derrière l’école ${suffix}`,
  loser: `Piste cyclable rue des Tanneurs ${suffix}`,
  studied: `Fontaine à eau square Daviais ${suffix}`,
};
/** Idea ids by key of TITLES, as seeded. */
const ids: Record<string, string> = {};

/** A coordinator's verdict on an idea, as instruction stores it (`DOSSIER#<idea>` / `DOSSIER`). */
async function verdict(
  ideaId: string,
  outcome: string,
  reasonCode: string,
  reasonText: string,
  projectId?: string,
  final = true,
) {
  await put({
    pk: `DOSSIER#${ideaId}`,
    sk: 'DOSSIER',
    entity: 'InstructionDossier',
    version: 1,
    ideaId,
    revision: 1,
    verdict: {
      decisionId: `verdict-${ideaId}`,
      outcome,
      final,
      reasonCode,
      reasonText,
      ...(projectId ? { projectId } : {}),
      at: '2026-03-01T10:00:00.000Z',
      by: { sub: 'coordination-essai', role: 'coordinator' },
    },
  });
}

const project = (id: string, title: string) => ({
  pk: `INSTRUCTION#${stack.edition}`,
  sk: `PROJECT#${id}`,
  entity: 'InstructionProject',
  version: 1,
  id,
  title,
  summary: 'Un projet d’essai pour le parcours des idées.',
  cost: 20_000,
  envelope: 'nantes',
  theme: 'culture-patrimoine',
});

const resultLine = (id: string, title: string, selected: boolean, explanation: string) => ({
  id,
  title,
  theme: 'culture-patrimoine',
  cost: 20_000,
  support: selected ? 12 : 1,
  selected,
  status: selected ? 'selected' : 'not-selected',
  explanation,
});

beforeAll(async () => {
  browser = await launchBrowser();
  admin = await staffToken(stack, 'admin');
  // Prepare: the call for ideas is over (instruction phase), so nothing may be withdrawn or changed.
  await movePhase(stack, admin, 'instruction', 'Essai du parcours des idées : fin de l’appel');
  [author] = (await factory.createMany('nantes', 1)) as [SeededCitizen];
  const idea = (status: 'submitted' | 'published', title: string) =>
    seedIdea(stack, documents, {
      authorId: author.citizenId,
      status,
      title,
      territory: 'nantes',
      theme: 'culture-patrimoine',
    });
  await idea('submitted', TITLES.waiting);
  const refused = await idea('published', TITLES.refused);
  const winner = await idea('published', TITLES.winner);
  const loser = await idea('published', TITLES.loser);
  const studied = await idea('published', TITLES.studied);
  Object.assign(ids, { refused, winner, loser, studied });
  await verdict(
    refused,
    'not-feasible',
    'technical',
    'Le fleuve est trop large à cet endroit pour un câble.',
  );
  await verdict(winner, 'retained', 'criteria-met', 'Terrain départemental disponible.', WINNER);
  await verdict(loser, 'retained', 'criteria-met', 'Voirie départementale.', LOSER);
  // Only the service's opinion so far: the coordination has not pronounced.
  await verdict(studied, 'not-admissible', 'investment-only', 'Dépense de fonctionnement.', undefined, false);
  // The validated ballot list holds both projects; the published results pick the garden.
  await put(project(WINNER, 'Un jardin partagé à l’école'));
  await put(project(LOSER, 'Une piste cyclable rue des Tanneurs'));
  await put({
    ...listKey,
    entity: 'BallotList',
    version: 1,
    state: 'validated',
    listVersion: 1,
    validation: {
      validationId: `essai-${suffix}`,
      listSha256: '0'.repeat(64),
      projectIds: [WINNER, LOSER],
      at: '2026-04-01T10:00:00.000Z',
      by: { sub: 'comite-essai', role: 'committee' },
    },
  });
  await put({
    ...resultsKey,
    entity: 'Results',
    publishedAt: '2026-06-01T10:00:00.000Z',
    results: {
      envelopes: [
        {
          id: 'nantes',
          projects: [
            resultLine(WINNER, 'Un jardin partagé à l’école', true, 'Financé : 12 voix, dans l’enveloppe.'),
            resultLine(
              LOSER,
              'Une piste cyclable rue des Tanneurs',
              false,
              'Non financé : 1 voix, moins que les lauréats.',
            ),
          ],
        },
      ],
    },
  });
  await put({
    pk: resultsKey.pk,
    sk: `REALISATION#${WINNER}`,
    entity: 'Realisation',
    projectId: WINNER,
    status: 'travaux',
    milestones: [],
    version: 1,
    updatedAt: '2026-09-01T10:00:00.000Z',
    updatedBy: 'coordination-essai',
    eventPending: false,
  });
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

async function openMyIdeas(page: Page): Promise<void> {
  await page.goto(stack.siteUrl);
  await page.evaluate((token) => sessionStorage.setItem('bp.citizen.token', token), author.token);
  await page.goto(`${stack.siteUrl}/mes-idees.html`);
  await page.getByRole('heading', { name: TITLES.loser }).waitFor();
}

const card = (page: Page, title: string) =>
  page.locator('article').filter({ has: page.getByRole('heading', { name: title }) });

describe('« Mes idées »: the author follows each idea to its end', () => {
  for (const viewport of [{ width: 1280, height: 900 }, PHONE_VIEWPORT]) {
    it(`shows moderation, verdict and reason, ballot, result and realisation (${viewport.width} px)`, {
      timeout: 90_000,
    }, async () => {
      const { context, page } = await openPage(browser, { viewport });
      try {
        // Act
        await openMyIdeas(page);

        // Assess: each idea's path, in French, with no identifier
        const waiting = normalizeSpaces(await card(page, TITLES.waiting).textContent());
        expect(waiting).toContain('Modération : En attente de modération.');

        const refused = normalizeSpaces(await card(page, TITLES.refused).textContent());
        expect(refused).toContain('Statut : Non réalisable');
        expect(refused).toContain(
          'Faisabilité technique — Le fleuve est trop large à cet endroit pour un câble.',
        );
        expect(refused).toContain('le 1er mars 2026');
        expect(refused).not.toContain('Liste soumise au vote');

        const winner = normalizeSpaces(await card(page, TITLES.winner).textContent());
        expect(winner).toContain('Statut : Lauréate — Travaux en cours');
        expect(winner).toContain('Retenue : elle devient un projet soumis au vote.');
        expect(winner).toContain(
          'Soumise au vote des habitants sous le titre « Un jardin partagé à l’école ».',
        );
        expect(winner).toContain('Lauréat : le projet sera réalisé. Financé : 12 voix, dans l’enveloppe.');
        expect(winner).toContain('Réalisation : Travaux en cours (mis à jour le 1er septembre 2026).');

        const loser = normalizeSpaces(await card(page, TITLES.loser).textContent());
        expect(loser).toContain('Statut : Non retenue par le vote');
        expect(loser).toContain('Non retenu par le vote. Non financé : 1 voix, moins que les lauréats.');
        expect(loser).not.toContain('Réalisation');

        // The call for ideas is over: nothing to withdraw or edit, and no picture form on the idea page
        const main = normalizeSpaces(await page.locator('main').textContent());
        expect(main).toContain('ne peuvent plus être modifiées ni retirées');
        expect(await page.getByRole('button', { name: 'Retirer…' }).count()).toBe(0);
        expect(await page.getByRole('link', { name: 'Modifier' }).count()).toBe(0);
        expect(main).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
        expect(main).not.toContain(WINNER);
        await expectNoAxeViolations(page);

        await card(page, TITLES.winner).getByRole('link', { name: 'Voir l’idée' }).click();
        await page.getByRole('heading', { level: 1, name: TITLES.winner }).waitFor();
        await page.locator('#idea-facts dl').waitFor();
        expect(await page.getByLabel('Ajouter une photo').count()).toBe(0);
        await expectNoAxeViolations(page);
      } finally {
        await context.close();
      }
    });
  }
});

describe('the idea page shows everyone what became of a published idea', () => {
  for (const viewport of [{ width: 1280, height: 900 }, PHONE_VIEWPORT]) {
    it(`a visitor reads the verdict, the ballot, the result and the realisation (${viewport.width} px)`, {
      timeout: 90_000,
    }, async () => {
      const { context, page } = await openPage(browser, { viewport });
      const pathOf = async (key: string) => {
        await page.goto(`${stack.siteUrl}/idee.html?id=${encodeURIComponent(ids[key] as string)}`);
        await page.getByRole('heading', { level: 1, name: TITLES[key as keyof typeof TITLES] }).waitFor();
        const list = page.getByRole('list', { name: 'Parcours de l’idée' });
        await list.waitFor();
        return normalizeSpaces(await list.textContent());
      };
      try {
        const winner = await pathOf('winner');
        // Its state in one phrase: « Publiée le 7 décembre 2026 », never « Publiée, publiée le … ».
        expect(normalizeSpaces(await page.locator('#idea-state').textContent())).toMatch(
          /^Publiée le \d{1,2}(er)? [a-zéû]+ \d{4}$/,
        );
        expect(winner).toContain('Retenue : elle devient un projet soumis au vote.');
        expect(winner).toContain('Lauréat : le projet sera réalisé. Financé : 12 voix, dans l’enveloppe.');
        expect(winner).toContain('Réalisation : Travaux en cours (mis à jour le 1er septembre 2026).');
        await expectNoAxeViolations(page);

        const refused = await pathOf('refused');
        expect(refused).toContain('Non réalisable. Décision de la coordination, le 1er mars 2026.');
        expect(refused).toContain(
          'Motif : Faisabilité technique — Le fleuve est trop large à cet endroit pour un câble.',
        );

        const loser = await pathOf('loser');
        expect(loser).toContain('Non retenu par le vote. Non financé : 1 voix, moins que les lauréats.');

        // A service's opinion is not the public's until the coordination pronounces.
        const studied = await pathOf('studied');
        expect(studied).toContain('En cours d’étude par les services du Département');
        expect(studied).not.toContain('Dépense de fonctionnement');
        expect(studied).not.toContain('Non recevable');
        await expectNoAxeViolations(page);
      } finally {
        await context.close();
      }
    });
  }

  it('the author reads the service’s opinion on her own idea page, before the verdict', {
    timeout: 60_000,
  }, async () => {
    const { context, page } = await openPage(browser);
    try {
      await page.goto(stack.siteUrl);
      await page.evaluate((token) => sessionStorage.setItem('bp.citizen.token', token), author.token);
      await page.goto(`${stack.siteUrl}/idee.html?id=${encodeURIComponent(ids.studied as string)}`);
      const list = page.getByRole('list', { name: 'Parcours de l’idée' });
      await list.waitFor();
      const text = normalizeSpaces(await list.textContent());
      expect(text).toContain('Non recevable. Avis du service chargé de l’étude');
      expect(text).toContain('Dépense de fonctionnement.');
    } finally {
      await context.close();
    }
  });
});
