import { randomUUID } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, movePhase, staffToken } from '../support/api.ts';
import { launchBrowser, normalizeSpaces, openPage, PHONE_VIEWPORT } from '../support/browser.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import {
  axeAtBothWidths,
  DESKTOP_VIEWPORT,
  signInStaffThroughPages,
  staffAccount,
} from '../support/journey.ts';
import { PNG_1PX, uploadPicture } from '../support/pictures.ts';
import '../support/stack-context.ts';

const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
// The machine running the suite may be busy: generous waits for pages, never for assertions.
const PAGE_TIMEOUT_MS = 60_000;
const TEXT_FILE = {
  name: 'notes.txt',
  mimeType: 'text/plain',
  buffer: Buffer.from('Quelques notes sur le projet, pas une photo.'),
};
const PNG_FILE = { name: 'square.png', mimeType: 'image/png', buffer: PNG_1PX };

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  const admin = await staffToken(stack, 'admin');
  // The call for ideas, open whatever the date: the phase, and its window extended past today.
  await movePhase(stack, admin, 'ideas', 'Essai des photos d’idées : appel à idées');
  const extended = await api(stack, 'POST', `${editionPath}/staff/ideas-window`, {
    token: admin,
    body: {
      action: 'extend',
      until: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      reason: 'Prolongation de l’appel à idées pour l’essai des photos',
    },
  });
  expect(extended.status, JSON.stringify(extended.body)).toBe(200);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  factory.close();
});

async function citizenPage(citizen: SeededCitizen, viewport = DESKTOP_VIEWPORT) {
  const opened = await openPage(browser, { viewport });
  opened.context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  await opened.page.goto(stack.siteUrl);
  await opened.page.evaluate((token) => sessionStorage.setItem('bp.citizen.token', token), citizen.token);
  return opened;
}

/** The picture really loaded in the page (from the S3 emulator, by its read URL), not only an `<img>` tag. */
async function expectLoaded(image: Locator): Promise<void> {
  await image.waitFor();
  await expect
    .poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth), {
      timeout: PAGE_TIMEOUT_MS,
    })
    .toBe(1);
}

const fieldError = (page: Page, id: string) => page.locator(`#${id}-error`);

describe('pictures of ideas, through the pages', () => {
  it('a citizen proposes an idea with a picture and its description, the moderator sees and publishes it, a visitor sees the picture with that text', {
    timeout: 600_000,
  }, async () => {
    // Prepare: a verified inhabitant of Nantes, signed in in her tab.
    const citizen = await factory.create('nantes');
    const title = `Des nichoirs dans le parc ${randomUUID().slice(0, 6)}`;
    const alt = 'Un nichoir en bois fixé au tronc d’un chêne, au bord d’une allée';
    const { context, page } = await citizenPage(citizen);
    try {
      await page.goto(`${stack.siteUrl}/proposer.html`);
      await page.getByRole('heading', { level: 2, name: /Étape 1 sur 3/ }).waitFor();
      await page.getByLabel('Commune concernée').selectOption({ label: 'Nantes' });
      await page.getByRole('button', { name: 'Étape suivante' }).click();
      await page.getByRole('heading', { level: 2, name: /Étape 2 sur 3/ }).waitFor();
      await page.getByLabel('Thème', { exact: true }).selectOption({ index: 1 });
      await page.getByLabel('Titre', { exact: true }).fill(title);
      await page
        .getByLabel('Description', { exact: true })
        .fill('Installer des nichoirs à mésanges dans le parc, fabriqués avec les écoles du quartier.');
      await page.getByRole('button', { name: 'Étape suivante' }).click();
      await page.getByRole('heading', { level: 2, name: /Étape 3 sur 3/ }).waitFor();
      await page.getByLabel('Coût estimé (en euros)').fill('3000');

      // Act 1: a file that is not a picture, then a picture without its description: field errors in French.
      await page.getByLabel('Photo', { exact: true }).setInputFiles(TEXT_FILE);
      await page.getByLabel('Description de la photo').fill(alt);
      await page.getByRole('button', { name: 'Envoyer mon idée' }).click();
      await expect
        .poll(() => fieldError(page, 'picture-file').textContent())
        .toBe('Ce fichier n’est pas une photo JPEG, PNG ou WebP.');
      expect(await page.getByLabel('Photo', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      await axeAtBothWidths(page);
      await page.getByLabel('Photo', { exact: true }).setInputFiles(PNG_FILE);
      await page.getByLabel('Description de la photo').fill('  ');
      await page.getByRole('button', { name: 'Envoyer mon idée' }).click();
      await expect
        .poll(() => fieldError(page, 'picture-alt').textContent())
        .toMatch(/^Décrivez la photo en quelques mots/);
      expect(normalizeSpaces(await fieldError(page, 'picture-file').textContent())).toBe('');
      // Nothing was sent while the form had errors.
      const before = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: citizen.token });
      expect(before.body.items.filter((idea: { title: string }) => idea.title === title)).toEqual([]);

      // Act 2: with its description, the idea and its picture are sent.
      await page.getByLabel('Description de la photo').fill(alt);
      await page.getByRole('button', { name: 'Envoyer mon idée' }).click();
      await page.getByRole('heading', { name: 'Idée envoyée, merci !' }).waitFor();
      expect(await page.getByText('La photo n’a pas été ajoutée').count()).toBe(0);
    } finally {
      await context.close();
    }
    const mine = await api(stack, 'GET', `${editionPath}/me/ideas`, { token: citizen.token });
    const idea = mine.body.items.find((item: { title: string }) => item.title === title);
    expect(idea.pictures).toEqual([{ key: expect.stringMatching(/^uploads\/.+\.png$/), alt }]);

    // Act 3: the moderator sees the picture and its description in the queue, and publishes the idea.
    const staff = await openPage(browser, { viewport: DESKTOP_VIEWPORT });
    staff.context.setDefaultTimeout(PAGE_TIMEOUT_MS);
    try {
      await signInStaffThroughPages(staff.page, stack, staffAccount(stack, 'moderator'));
      await staff.page.goto(`${stack.siteUrl}/staff/moderation.html`);
      const card = staff.page
        .locator('article')
        .filter({ has: staff.page.getByRole('heading', { name: title }) });
      await expectLoaded(card.getByRole('img', { name: alt }));
      await card.getByText(`Description de la photo 1 : ${alt}`).waitFor();
      await axeAtBothWidths(staff.page);
      await card.getByLabel('Publier', { exact: true }).check();
      await card.getByRole('button', { name: 'Enregistrer la décision' }).click();
      await staff.page.getByText(`Décision enregistrée pour « ${title} »`).waitFor();
    } finally {
      await staff.context.close();
    }

    // Assess: a visitor (not signed in) sees the picture on the idea page, with the author's text alternative.
    const visitor = await openPage(browser, { viewport: PHONE_VIEWPORT });
    visitor.context.setDefaultTimeout(PAGE_TIMEOUT_MS);
    try {
      await visitor.page.goto(`${stack.siteUrl}/idee.html?id=${encodeURIComponent(idea.id)}`);
      await visitor.page.getByRole('heading', { level: 1, name: title }).waitFor();
      const picture = visitor.page.locator('#idea-pictures').getByRole('img', { name: alt });
      await expectLoaded(picture);
      expect(await picture.getAttribute('alt')).toBe(alt);
      // No upload form for a visitor.
      expect(await visitor.page.getByLabel('Ajouter une photo').count()).toBe(0);
      await axeAtBothWidths(visitor.page);
    } finally {
      await visitor.context.close();
    }
  });

  it('editing an idea with the form adds a picture after the ones it has, with its description', {
    timeout: 600_000,
  }, async () => {
    // Prepare: an idea that already has one picture.
    const citizen = await factory.create('nantes');
    const title = `Une fresque sous le pont ${randomUUID().slice(0, 6)}`;
    const submitted = await api(stack, 'POST', `${editionPath}/ideas`, {
      token: citizen.token,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        title,
        description: 'Une fresque peinte avec les jeunes du quartier sous le pont, à la place des tags.',
        theme: 'solidarites',
        territory: 'nantes',
        commune: '44109',
        estimatedCost: 6_000,
        proposer: { kind: 'individual' },
      },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const first = await uploadPicture(stack, citizen.token, submitted.body.id, PNG_1PX, 'image/png');
    const firstAlt = 'Le mur gris sous le pont, couvert de tags';
    const saved = await api(stack, 'PATCH', `${editionPath}/ideas/${submitted.body.id}`, {
      token: citizen.token,
      body: { pictures: [{ key: first, alt: firstAlt }] },
    });
    expect(saved.status).toBe(200);
    const { context, page } = await citizenPage(citizen);
    try {
      // Act: the form in edit mode, step 3, a second picture with its description.
      await page.goto(`${stack.siteUrl}/proposer.html?modifier=${encodeURIComponent(submitted.body.id)}`);
      await page.getByRole('heading', { level: 1, name: 'Modifier mon idée' }).waitFor();
      await page.getByRole('button', { name: 'Étape suivante' }).click();
      await page.getByRole('button', { name: 'Étape suivante' }).click();
      await page.getByRole('heading', { level: 2, name: /Étape 3 sur 3/ }).waitFor();
      await page.getByLabel('Photo', { exact: true }).setInputFiles(PNG_FILE);
      await page.getByLabel('Description de la photo').fill('Une fresque du même genre dans une autre ville');
      await page.getByRole('button', { name: 'Enregistrer les modifications' }).click();
      await page.getByRole('heading', { name: 'Modifications enregistrées' }).waitFor();
      expect(await page.getByText('La photo n’a pas été ajoutée').count()).toBe(0);
    } finally {
      await context.close();
    }
    // Assess: both pictures, in order, each with its description.
    const read = await api(stack, 'GET', `${editionPath}/ideas/${submitted.body.id}`, {
      token: citizen.token,
    });
    expect(read.body.pictures.map(({ alt }: { alt: string }) => alt)).toEqual([
      firstAlt,
      'Une fresque du même genre dans une autre ville',
    ]);
    expect(read.body.pictures[0].key).toBe(first);
  });

  it('on the idea page, the author adds a picture; a renamed text file and a missing description get French field errors', {
    timeout: 600_000,
  }, async () => {
    // Prepare: an idea waiting for moderation, its author on its page.
    const citizen = await factory.create('nantes');
    const title = `Un banc à l’arrêt de bus ${randomUUID().slice(0, 6)}`;
    const submitted = await api(stack, 'POST', `${editionPath}/ideas`, {
      token: citizen.token,
      headers: { 'idempotency-key': randomUUID() },
      body: {
        title,
        description:
          'Un banc abrité à l’arrêt de bus de la rue principale, pour les personnes âgées du quartier.',
        theme: 'solidarites',
        territory: 'nantes',
        commune: '44109',
        estimatedCost: 4_000,
        proposer: { kind: 'individual' },
      },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);
    const { context, page } = await citizenPage(citizen, PHONE_VIEWPORT);
    try {
      await page.goto(`${stack.siteUrl}/idee.html?id=${encodeURIComponent(submitted.body.id)}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      const file = page.getByLabel('Ajouter une photo');
      const description = page.getByLabel('Description de la photo');
      const send = page.getByRole('button', { name: 'Envoyer la photo' });

      // Act 1: a text file named like a picture passes the browser's look: the server reads what was stored.
      await file.setInputFiles({ ...TEXT_FILE, name: 'photo.png', mimeType: 'image/png' });
      await description.fill('L’arrêt de bus sans banc, vu depuis le trottoir');
      await send.click();
      await expect
        .poll(() => fieldError(page, 'picture-file').textContent())
        .toBe('Ce fichier n’est pas une photo JPEG, PNG ou WebP.');
      await page.getByRole('alert').getByText('Photo refusée').waitFor();
      await axeAtBothWidths(page);

      // Act 2: a real picture, but no description.
      await file.setInputFiles(PNG_FILE);
      await description.fill('');
      await send.click();
      await expect
        .poll(() => fieldError(page, 'picture-alt').textContent())
        .toMatch(/^Décrivez la photo en quelques mots/);

      // Act 3: with its description.
      const alt = 'L’arrêt de bus sans banc, vu depuis le trottoir';
      await description.fill(alt);
      await send.click();
      await page.getByRole('status').getByText('Photo ajoutée. Votre idée repasse en modération.').waitFor();
      await expectLoaded(page.locator('#idea-pictures').getByRole('img', { name: alt }));
      await axeAtBothWidths(page);
    } finally {
      await context.close();
    }
    const saved = await api(stack, 'GET', `${editionPath}/ideas/${submitted.body.id}`, {
      token: citizen.token,
    });
    expect(saved.body.pictures).toHaveLength(1);
    expect(saved.body.pictures[0].alt).toBe('L’arrêt de bus sans banc, vu depuis le trottoir');
  });
});
