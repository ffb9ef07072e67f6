import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { VotingClosed } from '../../shared/events/catalogue.ts';
import { api, eventually, staffToken, waitForBus } from '../support/api.ts';
import { citizenFactory, type SeededCitizen } from '../support/citizens.ts';
import { busEvents, putEvent } from '../support/local-bus.ts';
import '../support/stack-context.ts';
import { openVote } from '../support/voting.ts';

const run = promisify(execFile);
const stack = inject('stack');
const editionPath = `/api/editions/${stack.edition}`;
const factory = await citizenFactory(stack);
const dir = await mkdtemp(join(tmpdir(), 'bp-results-'));

const busIdle = () => waitForBus(stack);

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Raw text of a public file (the JSON helper would parse it). */
async function fetchText(path: string) {
  const response = await fetch(`${stack.siteUrl}${editionPath}${path}`, {
    signal: AbortSignal.timeout(20_000),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

afterAll(async () => {
  factory.close();
  await rm(dir, { recursive: true, force: true });
});

describe('results: counted from the stored ballots with the frozen rule, reviewed, published, recountable', () => {
  let admin: string;
  let coordinator: string;
  let voters: SeededCitizen[];
  const receipts: string[] = [];

  beforeAll(async () => {
    admin = await staffToken(stack, 'admin');
    coordinator = await staffToken(stack, 'coordinator');
    await openVote(stack, factory.documents);
    voters = await factory.createMany('nantes', 36, 12);
  });

  it('counts nothing and shows nothing before the publication', async () => {
    // Prepare: 36 ballots, the first projects favoured so that the winners are clear.
    const ballot = await api(stack, 'GET', `${editionPath}/ballot`, { token: voters[0]?.token });
    expect(ballot.status).toBe(200);
    const envelopes = ballot.body.envelopes as { id: string; projects: { id: string }[] }[];
    const nantes = (envelopes.find((e) => e.id === 'nantes')?.projects ?? []).map((p) => p.id).sort();
    const departement = envelopes.find((e) => e.id !== 'nantes');
    const departementIds = (departement?.projects ?? []).map((p) => p.id).sort();
    // Act
    const cast = async (voter: SeededCitizen, i: number) => {
      // 6 projects in Nantes: even voters take 0, 2, 4, odd ones 1, 3, 5, and a third of them 0 as well.
      const picks = i % 2 === 0 ? [0, 2, 4] : [1, 3, 5, ...(i % 3 === 0 ? [0] : [])];
      const choices: Record<string, string[]> = { nantes: picks.map((k) => nantes[k] as string) };
      if (departement && i % 2 === 0) choices[departement.id] = departementIds.slice(i % 3, (i % 3) + 3);
      const response = await api(stack, 'POST', `${editionPath}/ballots`, {
        token: voter.token,
        body: { choices },
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      receipts.push(response.body.receipt);
    };
    for (let i = 0; i < voters.length; i += 6)
      await Promise.all(voters.slice(i, i + 6).map((voter, j) => cast(voter, i + j)));
    // Assess: public routes refuse, during the vote as after the computation
    for (const path of ['/results', '/open-data/manifest.json']) {
      const early = await api(stack, 'GET', `${editionPath}${path}`);
      expect(early.status).toBe(403);
      expect(early.body.code).toBe('results_not_published');
    }
    const earlyCheck = await api(stack, 'POST', `${editionPath}/receipts/check`, {
      body: { code: receipts[0] },
    });
    expect(earlyCheck.status).toBe(403);
    expect(earlyCheck.body.code).toBe('results_not_published');
    // Nothing computed before the close.
    expect((await api(stack, 'GET', `${editionPath}/staff/results`, { token: coordinator })).status).toBe(
      404,
    );
  });

  it('computes the results when the vote closes, once, for coordinators to review', async () => {
    // Act: an admin closes the vote (phase counting → VotingClosed → results)
    const closed = await api(stack, 'POST', `${editionPath}/staff/phase`, {
      token: admin,
      body: { to: 'counting', reason: 'Essai des résultats : clôture du vote' },
    });
    expect(closed.status).toBe(200);
    await busIdle();
    const review = await eventually(async () => {
      const response = await api(stack, 'GET', `${editionPath}/staff/results`, { token: coordinator });
      return response.status === 200 ? response : undefined;
    }, 30_000);
    // Assess
    expect(review.body.published).toBe(false);
    expect(review.body.counting.rule).toBe('greedy');
    // Worked out by hand from the ballots cast above (this file's own edition: no other ballot exists).
    // Nantes: nantes-01 has 18 even voters + the 6 odd voters divisible by 3 = 24 votes; 02 to 06 have 18 each.
    // Greedy takes 01, then the 18-vote ties by id (the edition's tie-break); the six cost 168,500 € of 686,000 €.
    const nantes = review.body.envelopes.find((e: { id: string }) => e.id === 'nantes');
    expect(nantes.ballots).toBe(36);
    expect(nantes.selected).toEqual([
      'nantes-01',
      'nantes-02',
      'nantes-03',
      'nantes-04',
      'nantes-05',
      'nantes-06',
    ]);
    expect(nantes.spent).toBe(168_500);
    const support = (envelope: { projects: { id: string; support: number }[] }) =>
      Object.fromEntries(envelope.projects.map((p) => [p.id, p.support]));
    expect(support(nantes)).toEqual({
      'nantes-01': 24,
      'nantes-02': 18,
      'nantes-03': 18,
      'nantes-04': 18,
      'nantes-05': 18,
      'nantes-06': 18,
    });
    // Loire-Atlantique: the 18 even voters take 3 consecutive projects from the (i mod 3)-th, 6 voters each
    // start: 01 ×6, 02 ×12, 03 ×18, 04 ×12, 05 ×6. All five (179,000 €) fit in 200,000 €, by support then id.
    const departement = review.body.envelopes.find((e: { id: string }) => e.id === 'loire-atlantique');
    expect(departement.ballots).toBe(18);
    expect(departement.selected).toEqual([
      'loire-atlantique-03',
      'loire-atlantique-02',
      'loire-atlantique-04',
      'loire-atlantique-01',
      'loire-atlantique-05',
    ]);
    expect(departement.spent).toBe(179_000);
    for (const project of nantes.projects) expect(project.explanation.length).toBeGreaterThan(10);
    expect(
      (
        await api(stack, 'GET', `${editionPath}/staff/results`, {
          token: await staffToken(stack, 'committee'),
        })
      ).status,
    ).toBe(200);
    expect((await api(stack, 'GET', `${editionPath}/results`)).status).toBe(403);

    // Act: the same VotingClosed delivered again
    const events = async () =>
      (await busEvents(stack, 'ResultsComputed')).filter((e) => e.detail.resultsId === review.body.resultsId)
        .length;
    expect(await events()).toBe(1);
    await putEvent(stack, VotingClosed, {
      version: 1,
      edition: stack.edition,
      changeId: review.body.changeId,
      closedAt: new Date().toISOString(),
    });
    await busIdle();
    // Assess: the same stored results, no second ResultsComputed
    const again = await api(stack, 'GET', `${editionPath}/staff/results`, { token: coordinator });
    expect(again.body.resultsId).toBe(review.body.resultsId);
    expect(again.body.computedAt).toBe(review.body.computedAt);
    expect(await events()).toBe(1);
  });

  it('recounts for an admin with a reason only, audited with role and name, and keeps the same results', async () => {
    // Prepare
    const before = await api(stack, 'GET', `${editionPath}/staff/results`, { token: admin });
    // Act + Assess: not a coordinator, not without a reason
    const byCoordinator = await api(stack, 'POST', `${editionPath}/staff/results/recount`, {
      token: coordinator,
      body: { reason: 'Vérification du dépouillement' },
    });
    expect(byCoordinator.status).toBe(403);
    const noReason = await api(stack, 'POST', `${editionPath}/staff/results/recount`, {
      token: admin,
      body: { reason: ' ' },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('body.reason');
    const recount = await api(stack, 'POST', `${editionPath}/staff/results/recount`, {
      token: admin,
      body: { reason: 'Vérification du dépouillement' },
    });
    expect(recount.status, JSON.stringify(recount.body)).toBe(200);
    expect(recount.body).toMatchObject({
      resultsId: before.body.resultsId,
      changed: false,
      published: false,
    });
    const line = recount.body.audit.at(-1);
    expect(line).toMatchObject({
      action: 'recounted',
      reason: 'Vérification du dépouillement',
      changed: false,
      actor: { kind: 'staff', role: 'admin' },
    });
    expect(line.actor.name).toMatch(/@/);
    // Never a staff sub in the audit
    expect(JSON.stringify(recount.body.audit)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/);
  });

  it('publishes as an admin; then results, receipts and open data are public and recountable by the CLI', async () => {
    // Act
    expect(
      (
        await api(stack, 'POST', `${editionPath}/staff/results/publish`, {
          token: coordinator,
          body: { reason: 'Essai' },
        })
      ).status,
    ).toBe(403);
    // A ballot stored after the count (it should not happen): it is not in the published ballot files
    const lateReceipt = 'WXYW-XYWX-YWXY';
    const lateBallot = { pk: 'BALLOT#nantes#7', sk: `BALLOT#late-${randomUUID()}` };
    await factory.documents.send(
      new PutCommand({
        TableName: stack.tableName,
        Item: {
          ...lateBallot,
          entity: 'Ballot',
          version: 1,
          ballotId: lateBallot.sk.slice(7),
          envelope: 'nantes',
          choices: [],
          channel: 'online',
          date: '2026-01-01',
          receipt: lateReceipt,
          gsi1pk: `RECEIPT#${lateReceipt}`,
          gsi1sk: 'ENVELOPE#nantes',
        },
      }),
    );
    const published = await api(stack, 'POST', `${editionPath}/staff/results/publish`, {
      token: admin,
      body: { reason: 'Résultats vérifiés par le comité citoyen' },
    });
    const late = await api(stack, 'POST', `${editionPath}/receipts/check`, { body: { code: lateReceipt } });
    await factory.documents.send(new DeleteCommand({ TableName: stack.tableName, Key: lateBallot }));
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ counted: false, envelopes: [] });
    expect(published.body.audit.at(-1)).toMatchObject({
      action: 'published',
      reason: 'Résultats vérifiés par le comité citoyen',
      actor: { kind: 'staff', role: 'admin' },
    });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    // A recount after the publication is the results function's own path: a new version of the same results
    // (the late ballot is gone again), audited, the publication standing.
    const recount = await api(stack, 'POST', `${editionPath}/staff/results/recount`, {
      token: admin,
      body: { reason: 'Recomptage après publication' },
    });
    expect(recount.status, JSON.stringify(recount.body)).toBe(200);
    expect(recount.body).toMatchObject({
      resultsId: published.body.resultsId,
      changed: false,
      published: true,
    });
    expect(recount.body.version).toBe(published.body.version + 1);
    await busIdle();
    // Assess: the phase follows, the results are public
    expect((await api(stack, 'GET', editionPath)).body.phase.current).toBe('results');
    const results = await api(stack, 'GET', `${editionPath}/results`);
    expect(results.status).toBe(200);
    expect(results.body.resultsId).toBe(published.body.resultsId);

    // The code as a voter may type it: lower case, spaces instead of dashes
    const typed = (receipts[0] ?? '').toLowerCase().replaceAll('-', ' ');
    const receipt = await api(stack, 'POST', `${editionPath}/receipts/check`, { body: { code: typed } });
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(200);
    expect(receipt.body).toMatchObject({
      counted: true,
      receipt: receipts[0],
      publishedAt: published.body.publishedAt,
    });
    expect(receipt.body.envelopes.map((e: { id: string }) => e.id)).toContain('nantes');
    const unknown = await api(stack, 'POST', `${editionPath}/receipts/check`, {
      body: { code: 'AAAA-AAAA-AAAA' },
    });
    expect(unknown.body.counted).toBe(false);
    // No code in a URL any more; a malformed code is a field error
    expect((await api(stack, 'GET', `${editionPath}/receipts/${receipts[0]}`)).status).toBe(404);
    const malformed = await api(stack, 'POST', `${editionPath}/receipts/check`, { body: { code: 'ABC' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('body.code');

    // Every file matches its hash in the manifest
    const manifest = JSON.parse((await fetchText('/open-data/manifest.json')).text);
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(
      expect.arrayContaining([
        'projects.csv',
        'projects.json',
        'results.csv',
        'results.json',
        'ballots-nantes.pb',
      ]),
    );
    for (const file of manifest.files as { name: string; sha256: string }[]) {
      const fetched = await fetchText(`/open-data/${file.name}`);
      expect(fetched.status).toBe(200);
      expect(sha256(fetched.text), file.name).toBe(file.sha256);
    }
    const csv = await fetchText('/open-data/results.csv');
    expect(csv.type).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe(
      'envelope;envelope_name;project_id;title;cost_eur;support;selected;selection_rank;status;explanation',
    );

    // The recount: the published ballot file of each envelope, counted by the CLI, gives the published winners
    for (const envelope of results.body.envelopes as {
      id: string;
      selected: string[];
      ballotsSha256: string;
    }[]) {
      const pb = await fetchText(`/open-data/ballots-${envelope.id}.pb`);
      expect(sha256(pb.text)).toBe(envelope.ballotsSha256);
      const path = join(dir, `ballots-${envelope.id}.pb`);
      await writeFile(path, pb.text);
      const { stdout } = await run(process.execPath, [
        'bin/bp.js',
        'count',
        path,
        '--rule',
        results.body.counting.rule,
        '--json',
      ]);
      expect(JSON.parse(stdout).selected, envelope.id).toEqual(envelope.selected);
    }
  });
});
