import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { enterPaperBallot } from '../../functions/voting/enter-paper-ballot.ts';
import type { PaperSheet, PaperSheetRepository } from '../../functions/voting/paper-sheet-repository.ts';
import type { CastRequest, VotingRepository } from '../../functions/voting/voting-repository.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';

/**
 * Double entry of a paper sheet, as a state machine compared with a model written here from the rule:
 * a sheet is cast when two DIFFERENT agents typed the same voting code and the same choices; it is flagged
 * for a third agent when they differ (saying what differs); an agent's own retry is never a second entry.
 */
const snapshot = {
  rules: { kind: 'approval', minChoices: 1, maxChoices: 3 },
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
  opensAt: '2026-10-02T07:00:00.000Z',
  closesAt: '2026-10-22T21:59:00.000Z',
  timeZone: 'Europe/Paris',
} as VoteSnapshot;

/** Voting codes handed out on site, and whose they are. */
const CODES: Record<string, string> = { AAAABBBBCCCC: 'c-1', DDDDEEEEFFFF: 'c-2' };
const normalize = (code: string) => code.toUpperCase().replace(/[^0-9A-Z]/g, '');

/** In-memory twins: the transaction itself is tested on DynamoDB Local. */
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
      const citizenId = CODES[hash.replace(/^hash:/, '')];
      return citizenId ? { citizenId, expiresAtMs: 0 } : undefined;
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
  const deps = {
    edition: 'demo',
    votes,
    sheets: repository,
    snapshot: async () => ({ snapshot }),
    votingCodeHash: async (code: string) => `hash:${normalize(code)}`,
    now: () => new Date('2026-10-10T10:00:00Z'),
    newId: () => `id-${++ids}`,
  };
  return { deps, sheets, casts };
}

interface Entry {
  agent: string;
  votingCode: string;
  choices: string[];
}

/** The same code as typed by a person: any case, with or without dashes or spaces. */
const typed = (code: string) =>
  fc.constantFrom(
    code.replace(/(.{4})(?=.)/g, '$1-'),
    code.toLowerCase().replace(/(.{4})(?=.)/g, '$1 '),
    code,
    ` ${code.toLowerCase()} `,
  );

/** Codes mostly known (sometimes mistyped into an unknown one), choices mostly within the rules (1 to 3). */
const anyEntry: fc.Arbitrary<Entry> = fc.record({
  agent: fc.constantFrom('agent-a', 'agent-b', 'agent-c'),
  votingCode: fc
    .oneof({ weight: 8, arbitrary: fc.constantFrom(...Object.keys(CODES)) }, fc.constant('ZZZZYYYYXXXX'))
    .chain(typed),
  choices: fc.shuffledSubarray(
    snapshot.projects.map((p) => p.id),
    { minLength: 1 },
  ),
});

/** Entries of one sheet: mostly what the sheet says (typed in any order and case), sometimes a misreading. */
const entries: fc.Arbitrary<Entry[]> = anyEntry.chain((sheet) =>
  fc.array(
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          agent: fc.constantFrom('agent-a', 'agent-b', 'agent-c'),
          votingCode: typed(normalize(sheet.votingCode)),
          choices: fc.shuffledSubarray(sheet.choices, { minLength: sheet.choices.length }),
        }),
      },
      { weight: 1, arbitrary: anyEntry },
    ),
    { minLength: 1, maxLength: 6 },
  ),
);

type Outcome = 'pending' | 'flagged' | 'cast' | string;
type Model =
  | { status: 'none' }
  | { status: 'pending'; agent: string; key: Key }
  | { status: 'flagged'; differences: string[] }
  | { status: 'cast'; agents: string[]; key: Key };
type Key = { code: string; choices: string };

const keyOf = (e: Entry): Key => ({ code: normalize(e.votingCode), choices: [...e.choices].sort().join() });

/** The rule, step by step: what one entry should answer, and the sheet after it. */
function modelStep(model: Model, e: Entry): { outcome: Outcome; next: Model } {
  if (model.status === 'cast')
    return { outcome: model.agents.includes(e.agent) ? 'cast' : 'sheet_closed', next: model };
  if (model.status === 'flagged') return { outcome: 'sheet_flagged', next: model };
  const key = keyOf(e);
  if (!CODES[key.code]) return { outcome: 'voting_code_unknown', next: model };
  if (e.choices.length > 3) return { outcome: 'too_many_choices', next: model };
  if (model.status === 'none')
    return { outcome: 'pending', next: { status: 'pending', agent: e.agent, key } };
  const differences = [
    ...(key.code !== model.key.code ? ['votingCode'] : []),
    ...(key.choices !== model.key.choices ? ['choices'] : []),
  ];
  if (model.agent === e.agent)
    return { outcome: differences.length === 0 ? 'pending' : 'second_agent_required', next: model };
  if (differences.length > 0) return { outcome: 'flagged', next: { status: 'flagged', differences } };
  return { outcome: 'cast', next: { status: 'cast', agents: [model.agent, e.agent], key } };
}

async function enter(deps: ReturnType<typeof paperDeps>['deps'], e: Entry) {
  try {
    const view = await enterPaperBallot(deps, {
      sheet: 'F-1',
      votingCode: e.votingCode,
      choices: { nord: e.choices },
      agent: e.agent,
    });
    return { outcome: view.status as Outcome, view };
  } catch (error) {
    if (error instanceof DomainError) return { outcome: error.code as Outcome, view: undefined };
    throw error;
  }
}

describe('paper ballot double entry, against a model of the rule', () => {
  it('answers every entry of any sequence as the rule says, and casts at most once', async () => {
    await fc.assert(
      fc.asyncProperty(entries, async (sequence) => {
        // Prepare
        const { deps, sheets, casts } = paperDeps();
        let model: Model = { status: 'none' };
        for (const e of sequence) {
          // Act
          const { outcome, view } = await enter(deps, e);
          // Assess
          const step = modelStep(model, e);
          expect(outcome).toBe(step.outcome);
          model = step.next;
          if (outcome === 'flagged' && model.status === 'flagged')
            expect(view?.differences).toEqual(model.differences);
        }
        const stored = sheets.get('F-1');
        expect(stored?.status ?? 'none').toBe(model.status);
        // Never more entries than two agents, never the same agent twice.
        const agents = stored?.entries.map((x) => x.agent) ?? [];
        expect(new Set(agents).size).toBe(agents.length);
        expect(agents.length).toBeLessThanOrEqual(2);
        // Cast once, for the voter of the agreed code, with the agreed choices.
        expect(casts).toHaveLength(model.status === 'cast' ? 1 : 0);
        if (model.status === 'cast') {
          expect(casts[0]).toMatchObject({ voterId: CODES[model.key.code], channel: 'paper' });
          expect(casts[0]?.ballots.map((b) => b.choices)).toEqual([model.key.choices.split(',')]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('casts two entries by different agents iff they agree, in either order, and flags exactly what differs', async () => {
    const known = fc.constantFrom(...Object.keys(CODES)).chain(typed);
    const choices = fc.shuffledSubarray(
      snapshot.projects.map((p) => p.id),
      { minLength: 1, maxLength: 3 },
    );
    await fc.assert(
      fc.asyncProperty(
        known,
        choices,
        known,
        choices,
        fc.boolean(),
        async (code1, choices1, code2, choices2, swap) => {
          // Prepare
          const { deps, casts } = paperDeps();
          const first = { agent: 'agent-a', votingCode: code1, choices: choices1 };
          const second = { agent: 'agent-b', votingCode: code2, choices: choices2 };
          const [x, y] = swap ? [second, first] : [first, second];
          // Act
          expect((await enter(deps, x)).outcome).toBe('pending');
          const { outcome, view } = await enter(deps, y);
          // Assess
          const sameCode = normalize(code1) === normalize(code2);
          const sameChoices = [...choices1].sort().join() === [...choices2].sort().join();
          expect(outcome).toBe(sameCode && sameChoices ? 'cast' : 'flagged');
          expect(casts).toHaveLength(sameCode && sameChoices ? 1 : 0);
          if (outcome === 'flagged')
            expect(view?.differences).toEqual([
              ...(sameCode ? [] : ['votingCode']),
              ...(sameChoices ? [] : ['choices']),
            ]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('flags any single change of one project in the second entry', async () => {
    const ids = snapshot.projects.map((p) => p.id);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(ids, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('add', 'remove', 'replace'),
        fc.nat(),
        async (choices, change, pick) => {
          // Prepare: the second agent's choices differ by one project (and stay within 1 to 3).
          const others = ids.filter((id) => !choices.includes(id));
          const changed =
            change === 'add' && choices.length < 3
              ? [...choices, others[pick % others.length] as string]
              : change === 'remove' && choices.length > 1
                ? choices.filter((_, i) => i !== pick % choices.length)
                : choices.map((id, i) =>
                    i === pick % choices.length ? (others[pick % others.length] as string) : id,
                  );
          const { deps, casts } = paperDeps();
          await enter(deps, { agent: 'agent-a', votingCode: 'AAAA-BBBB-CCCC', choices });
          // Act
          const { outcome, view } = await enter(deps, {
            agent: 'agent-b',
            votingCode: 'AAAA-BBBB-CCCC',
            choices: changed,
          });
          // Assess
          expect(outcome).toBe('flagged');
          expect(view?.differences).toEqual(['choices']);
          expect(casts).toHaveLength(0);
        },
      ),
      { numRuns: 100 },
    );
  });
});
