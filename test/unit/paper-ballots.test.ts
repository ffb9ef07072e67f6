import { describe, expect, it } from 'vitest';
import { enterPaperBallot, resolvePaperSheet } from '../../functions/voting/enter-paper-ballot.ts';
import type { PaperSheet, PaperSheetRepository } from '../../functions/voting/paper-sheet-repository.ts';
import type { CastRequest, VotingRepository } from '../../functions/voting/voting-repository.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';

const snapshot: VoteSnapshot = {
  rules: { kind: 'approval', minChoices: 2, maxChoices: 3 },
  envelopes: [{ id: 'nord', name: 'Nord', amount: 100_000 }],
  projects: [1, 2, 3, 4].map((n) => ({
    id: `nord-${n}`,
    title: `Projet ${n}`,
    summary: 'Un projet pour les essais.',
    cost: 10_000,
    envelope: 'nord',
    theme: 'sport',
  })),
  counting: {
    rule: 'greedy',
    tieBreak: 'project-id',
    minimumSupport: 0,
    atLeastOneWinnerPerTerritory: false,
  },
  opensAt: '2023-10-02T07:00:00.000Z',
  closesAt: '2023-10-22T21:59:00.000Z',
  timeZone: 'Europe/Paris',
} as VoteSnapshot;

/** In-memory twins: this test is about the double-entry rules, the transaction is tested on DynamoDB Local. */
function paperDeps() {
  const sheets = new Map<string, PaperSheet>();
  const casts: CastRequest[] = [];
  const repository: PaperSheetRepository = {
    async get(sheet) {
      return structuredClone(sheets.get(sheet));
    },
    async create(sheet) {
      if (sheets.has(sheet.sheet)) return 'exists';
      sheets.set(sheet.sheet, structuredClone(sheet));
      return 'created';
    },
    async replace(expected, next) {
      if (sheets.get(next.sheet)?.version !== expected) throw new Error('conflict');
      sheets.set(next.sheet, structuredClone(next));
    },
    replaceItem: (_expected, next) => ({ Put: { TableName: 't', Item: { ...next } } }),
    async list(status) {
      return [...sheets.values()].filter((s) => s.status === status);
    },
  };
  const votes = {
    async getVotingCode(hash: string) {
      return hash === 'hash:AAAABBBBCCCC' ? { citizenId: 'c-1', expiresAtMs: 0 } : undefined;
    },
    async getVoterIdentity(citizenId: string) {
      return { citizenId, territory: 'nord', status: 'verified', channel: 'in-person' };
    },
    async cast(request: CastRequest) {
      casts.push(request);
      const put = request.extra?.[0]?.Put?.Item as PaperSheet;
      sheets.set(put.sheet, put);
      return { ok: true };
    },
  } as unknown as VotingRepository;
  let ids = 0;
  return {
    sheets,
    casts,
    deps: {
      edition: 'demo',
      votes,
      sheets: repository,
      snapshot: async () => ({ snapshot }),
      votingCodeHash: async (code: string) => `hash:${code.toUpperCase().replace(/[^0-9A-Z]/g, '')}`,
      now: () => new Date('2023-10-10T10:00:00Z'),
      newId: () => `id-${++ids}`,
    },
  };
}

const refusal = async (run: Promise<unknown>) => {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`not refused: ${String(error)}`);
  return error.code;
};

describe('paper ballot double entry', () => {
  const entry = { sheet: 'F-1', votingCode: 'AAAA-BBBB-CCCC', choices: { nord: ['nord-1', 'nord-2'] } };

  it('stores the first entry as digests only, and casts on a matching entry by another agent', async () => {
    // Prepare
    const { deps, sheets, casts } = paperDeps();
    // Act
    const first = await enterPaperBallot(deps, { ...entry, agent: 'agent-a' });
    const second = await enterPaperBallot(deps, {
      ...entry,
      votingCode: 'aaaa bbbb cccc',
      choices: { nord: ['nord-2', 'nord-1'] },
      agent: 'agent-b',
    });
    // Assess
    expect(first.status).toBe('pending');
    expect(second.status).toBe('cast');
    expect(casts).toHaveLength(1);
    expect(casts[0]).toMatchObject({
      voterId: 'c-1',
      territory: 'nord',
      channel: 'paper',
      refuseInPersonIdentity: false,
      redeemCode: { codeHash: 'hash:AAAABBBBCCCC', configuredCloseMs: Date.parse(snapshot.closesAt) },
      ballots: [{ envelope: 'nord', choices: ['nord-1', 'nord-2'] }],
    });
    expect(casts[0]?.sealedReceipt).toBeUndefined();
    const stored = JSON.stringify(sheets.get('F-1'));
    expect(stored).not.toContain('AAAA');
    expect(stored).not.toContain('nord-1');
  });

  it('refuses a second entry by the same agent, accepts their identical retry', async () => {
    const { deps, casts } = paperDeps();
    await enterPaperBallot(deps, { ...entry, agent: 'agent-a' });
    expect((await enterPaperBallot(deps, { ...entry, agent: 'agent-a' })).status).toBe('pending');
    expect(
      await refusal(
        enterPaperBallot(deps, { ...entry, choices: { nord: ['nord-3', 'nord-4'] }, agent: 'agent-a' }),
      ),
    ).toBe('second_agent_required');
    expect(casts).toHaveLength(0);
  });

  it('flags a mismatch with what differs, refuses further entries, and needs a third agent to resolve', async () => {
    const { deps, casts } = paperDeps();
    await enterPaperBallot(deps, { ...entry, agent: 'agent-a' });
    const flagged = await enterPaperBallot(deps, {
      ...entry,
      choices: { nord: ['nord-1', 'nord-3'] },
      agent: 'agent-b',
    });
    expect(flagged).toMatchObject({ status: 'flagged', differences: ['choices'] });
    expect(await refusal(enterPaperBallot(deps, { ...entry, agent: 'agent-c' }))).toBe('sheet_flagged');
    const decision = { decision: 'cast' as const, votingCode: entry.votingCode, choices: entry.choices };
    expect(await refusal(resolvePaperSheet(deps, { sheet: 'F-1', agent: 'agent-a', decision }))).toBe(
      'third_agent_required',
    );
    const resolved = await resolvePaperSheet(deps, { sheet: 'F-1', agent: 'agent-c', decision });
    expect(resolved).toMatchObject({ status: 'cast', resolution: { agent: 'agent-c', decision: 'cast' } });
    expect(casts).toHaveLength(1);
  });

  it('validates a sheet by the frozen rules and knows the code at the first entry', async () => {
    const { deps } = paperDeps();
    expect(
      await refusal(enterPaperBallot(deps, { ...entry, choices: { nord: ['nord-1'] }, agent: 'agent-a' })),
    ).toBe('too_few_choices');
    expect(
      await refusal(enterPaperBallot(deps, { ...entry, votingCode: 'ZZZZ-ZZZZ-ZZZZ', agent: 'agent-a' })),
    ).toBe('voting_code_unknown');
  });
});

describe('paper ballot date', () => {
  const entry = { sheet: 'F-9', votingCode: 'AAAA-BBBB-CCCC', choices: { nord: ['nord-1', 'nord-2'] } };

  it.each([
    ['a summer evening in Paris', '2023-10-10T19:00:00Z', '2023-10-10'],
    ['just after midnight in Paris, still the day before in UTC', '2023-10-10T22:30:00Z', '2023-10-11'],
    ['New Year in Paris (UTC+1)', '2023-12-31T23:30:00Z', '2024-01-01'],
  ])('stores the Paris day of the entry that casts the sheet, no time: %s', async (_, at, day) => {
    // Prepare: the first entry the day before, the second (the one that casts) at `at`.
    const { deps, casts } = paperDeps();
    deps.now = () => new Date('2023-10-09T08:00:00Z');
    await enterPaperBallot(deps, { ...entry, agent: 'agent-a' });
    deps.now = () => new Date(at);
    // Act
    const cast = await enterPaperBallot(deps, { ...entry, agent: 'agent-b' });
    // Assess
    expect(cast.status).toBe('cast');
    expect(casts[0]?.date).toBe(day);
    expect(casts[0]?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
