import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { movePhase, staffToken } from '../support/api.ts';
import { seedRetainedProjects } from '../support/ballot-list.ts';
import {
  expectNoAxeViolations,
  launchBrowser,
  normalizeSpaces,
  openPage,
  PHONE_VIEWPORT,
} from '../support/browser.ts';
import { citizenFactory } from '../support/citizens.ts';
import '../support/stack-context.ts';
import { typeStaffCredentials } from '../support/journey.ts';

const stack = inject('stack');
const factory = await citizenFactory(stack);
const documents = factory.documents;
const listPk = `INSTRUCTION#${stack.edition}`;

let browser: Browser;
/** The instruction list as it was before this file: put back at the end. */

async function listItems(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': listPk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.filter((item) => item.sk === 'BALLOTLIST' || String(item.sk).startsWith('PROJECT#'));
}

async function clearList() {
  for (const item of await listItems())
    await documents.send(
      new DeleteCommand({ TableName: stack.tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
}

async function signInCommittee(page: Page): Promise<void> {
  const user = stack.staff.find((candidate) => candidate.role === 'committee');
  if (!user) throw new Error('No demo committee account');
  await page.goto(`${stack.siteUrl}/staff/index.html`);
  await typeStaffCredentials(page, user);
  await page.waitForURL(/\/staff\/back-office\.html$/);
}

beforeAll(async () => {
  browser = await launchBrowser();
  await movePhase(
    stack,
    await staffToken(stack, 'admin'),
    'ballot-preparation',
    'Essai de la page du Comité',
  );
  await clearList();
  // nantes: 2 projects for a ballot asking 3 at least; vignoble: none; the others: 3, far below budget
  await seedRetainedProjects(stack, documents, 'nantes', [20_000, 30_000]);
  for (const envelope of ['saint-nazaire', 'chateaubriant-ancenis', 'pays-de-retz', 'loire-atlantique'])
    await seedRetainedProjects(stack, documents, envelope, [10_000, 10_000, 10_000]);
});

afterAll(async () => {
  await browser?.close();
  factory.close();
});

describe('the committee page shows each envelope of the list, and why it cannot be voted on', () => {
  it('shows projects, cost against budget, “Aucun projet”, warnings, and the server’s refusal in French', {
    timeout: 120_000,
  }, async () => {
    const { context, page } = await openPage(browser, { viewport: PHONE_VIEWPORT });
    try {
      // Prepare
      await signInCommittee(page);
      await page.goto(`${stack.siteUrl}/staff/comite.html`);
      const vignoble = page.getByRole('region', { name: 'Vignoble' });
      await vignoble.waitFor();

      // Assess 1: each envelope, plainly
      const vignobleText = normalizeSpaces(await vignoble.textContent());
      expect(vignobleText).toContain('Aucun projet.');
      expect(vignobleText).not.toMatch(/0 projet/);
      expect(vignobleText).toContain('Vote impossible dans cette enveloppe');
      const nantesText = normalizeSpaces(await page.getByRole('region', { name: 'Nantes' }).textContent());
      expect(nantesText).toMatch(/2 projets, pour un coût total de 50 000 €, sur une enveloppe de 686 000 €/);
      expect(nantesText).toMatch(/n’a que 2 projets/);
      expect(nantesText).toContain('Budget en partie inutilisé');
      expect(normalizeSpaces(await page.locator('#co-projects-count').textContent())).toMatch(
        /2 enveloppes ne permettent pas de voter/,
      );
      await expectNoAxeViolations(page);

      // Act: the committee tries to validate anyway
      await page.getByLabel(/J’ai vérifié la liste des/).check();
      await page.getByRole('button', { name: 'Valider la liste des projets' }).click();

      // Assess 2: the server's refusal, in French, with each envelope's reason; nothing validated
      const alert = page.locator('#co-validate-error');
      await alert.getByText('Liste impossible à soumettre au vote').waitFor();
      const refusal = normalizeSpaces(await alert.textContent());
      expect(refusal).toMatch(/Aucun projet dans l’enveloppe « Vignoble »/);
      expect(refusal).toMatch(/L’enveloppe « Nantes » n’a que 2 projets/);
      expect(refusal).not.toMatch(/ballot_list_unvotable|envelopes\./);
      expect(normalizeSpaces(await page.locator('#co-state-body').textContent())).toContain('Liste ouverte');
      await expectNoAxeViolations(page);
    } finally {
      await context.close();
    }
  });
});
