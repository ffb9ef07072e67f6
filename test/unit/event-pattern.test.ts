import { describe, expect, it } from 'vitest';
import { compilePattern, InvalidEventPatternError, matchesPattern } from '../../local/event-pattern.ts';
import { PhaseChanged } from '../../shared/events/catalogue.ts';
import { defineEvent, eventPattern } from '../../shared/events/define-event.ts';

const envelope = (detail: Record<string, unknown>, overrides: Record<string, unknown> = {}) => ({
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'PhaseChanged',
  source: 'bp.editions',
  account: '000000000000',
  time: '2026-03-29T07:00:00Z',
  region: 'eu-west-3',
  resources: ['arn:aws:scheduler:eu-west-3:000000000000:schedule/default/editions-phase-vote'],
  detail,
  ...overrides,
});

describe('matchesPattern', () => {
  describe('the pattern eventPattern() builds from event contracts', () => {
    it('matches an event of the contract with the same version', () => {
      const pattern = eventPattern([PhaseChanged]);
      expect(
        matchesPattern(pattern, envelope({ version: 1, edition: 'demo', from: 'ideas', to: 'vote' })),
      ).toBe(true);
    });

    it('ignores another version, source or detail-type of the same event', () => {
      const pattern = eventPattern([PhaseChanged]);
      expect(matchesPattern(pattern, envelope({ version: 2, edition: 'demo' }))).toBe(false);
      expect(matchesPattern(pattern, envelope({ version: 1 }, { source: 'bp.ideas' }))).toBe(false);
      expect(matchesPattern(pattern, envelope({ version: 1 }, { 'detail-type': 'IdeaSubmitted' }))).toBe(
        false,
      );
    });

    it('matches any of several contracts, as an OR on each field', () => {
      const IdeaSubmitted = defineEvent({
        source: 'bp.ideas',
        detailType: 'IdeaSubmitted',
        version: 2,
        detail: {},
      });
      const pattern = eventPattern([PhaseChanged, IdeaSubmitted]);
      expect(
        matchesPattern(
          pattern,
          envelope({ version: 2 }, { source: 'bp.ideas', 'detail-type': 'IdeaSubmitted' }),
        ),
      ).toBe(true);
      expect(matchesPattern(pattern, envelope({ version: 1 }))).toBe(true);
    });
  });

  it('matches exact strings, numbers, booleans and null, and treats an array as OR', () => {
    const event = envelope({ phase: 'vote', round: 2, open: true, reason: null });
    expect(matchesPattern({ detail: { phase: ['ideas', 'vote'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { round: [2], open: [true], reason: [null] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { round: ['2'] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { phase: ['VOTE'] } }, event)).toBe(false);
  });

  it('requires every field of the pattern to match (AND between fields)', () => {
    const event = envelope({ phase: 'vote', round: 2 });
    expect(matchesPattern({ source: ['bp.editions'], detail: { phase: ['vote'], round: [3] } }, event)).toBe(
      false,
    );
  });

  it('matches nested objects at any depth and fails when the path is missing', () => {
    const event = envelope({ actor: { kind: 'staff', role: { name: 'admin' } } });
    expect(matchesPattern({ detail: { actor: { role: { name: ['admin'] } } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { actor: { team: { name: ['admin'] } } } }, event)).toBe(false);
  });

  it('matches an array in the event when any of its values matches', () => {
    const event = envelope({ territories: ['nord', 'sud'] });
    expect(matchesPattern({ detail: { territories: ['sud', 'est'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { territories: ['est'] } }, event)).toBe(false);
    expect(matchesPattern({ resources: [{ prefix: 'arn:aws:scheduler:' }] }, event)).toBe(true);
  });

  it('matches a nested pattern against an array of objects element by element', () => {
    const event = envelope({
      projects: [
        { id: 'p1', status: 'retained' },
        { id: 'p2', status: 'rejected' },
      ],
    });
    expect(matchesPattern({ detail: { projects: { id: ['p2'], status: ['rejected'] } } }, event)).toBe(true);
    expect(matchesPattern({ detail: { projects: { id: ['p1'], status: ['rejected'] } } }, event)).toBe(false);
  });

  it('matches prefix and suffix on strings only, optionally ignoring case', () => {
    const event = envelope({ file: 'Results-2026.CSV', code: 2026 });
    expect(matchesPattern({ detail: { file: [{ prefix: 'Results-' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { file: [{ prefix: 'results-' }] } }, event)).toBe(false);
    expect(
      matchesPattern({ detail: { file: [{ prefix: { 'equals-ignore-case': 'results-' } }] } }, event),
    ).toBe(true);
    expect(matchesPattern({ detail: { file: [{ suffix: '.CSV' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { file: [{ suffix: { 'equals-ignore-case': '.csv' } }] } }, event)).toBe(
      true,
    );
    expect(matchesPattern({ detail: { code: [{ prefix: '20' }] } }, event)).toBe(false);
  });

  it('matches anything-but a value, a list, a prefix or a suffix, but never a missing field', () => {
    const event = envelope({ phase: 'vote', round: 2, file: 'draft-1.json' });
    expect(matchesPattern({ detail: { phase: [{ 'anything-but': 'ideas' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { phase: [{ 'anything-but': ['ideas', 'vote'] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { round: [{ 'anything-but': [1, 3] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { file: [{ 'anything-but': { prefix: 'draft-' } }] } }, event)).toBe(
      false,
    );
    expect(matchesPattern({ detail: { file: [{ 'anything-but': { suffix: '.csv' } }] } }, event)).toBe(true);
    expect(
      matchesPattern(
        { detail: { file: [{ 'anything-but': { 'equals-ignore-case': ['DRAFT-1.JSON'] } }] } },
        event,
      ),
    ).toBe(false);
    expect(matchesPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, event)).toBe(false);
  });

  it('matches numeric ranges with every comparison operator', () => {
    const event = envelope({ amount: 15000 });
    expect(matchesPattern({ detail: { amount: [{ numeric: ['>', 0, '<=', 15000] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['>=', 15001] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['<', 15000] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { amount: [{ numeric: ['=', 15000] }] } }, event)).toBe(true);
    expect(
      matchesPattern({ detail: { amount: [{ numeric: ['>', 0] }] } }, envelope({ amount: '15000' })),
    ).toBe(false);
  });

  it('matches exists true on present leaves and exists false on absent fields', () => {
    const event = envelope({ reason: 'retard', actor: { kind: 'schedule' } });
    expect(matchesPattern({ detail: { reason: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { sub: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { reason: [{ exists: false }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { missing: { deeper: [{ exists: false }] } } }, event)).toBe(true);
    // exists only looks at leaf values, like EventBridge.
    expect(matchesPattern({ detail: { actor: [{ exists: true }] } }, event)).toBe(false);
  });

  it('matches equals-ignore-case and wildcard with escaped stars', () => {
    const event = envelope({ email: 'Agent@Loire-Atlantique.FR', label: 'prix*2026' });
    expect(
      matchesPattern({ detail: { email: [{ 'equals-ignore-case': 'agent@loire-atlantique.fr' }] } }, event),
    ).toBe(true);
    expect(matchesPattern({ detail: { email: [{ wildcard: '*@Loire-*.FR' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { email: [{ wildcard: '*@loire-*.fr' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { label: [{ wildcard: 'prix\\*2026' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { label: [{ wildcard: 'prix\\*20' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { label: [{ wildcard: 'p.ix*' }] } }, event)).toBe(false);
  });

  it('matches $or alternatives, alone or next to other fields', () => {
    const pattern = {
      source: ['bp.editions'],
      detail: { $or: [{ to: ['vote'] }, { reason: [{ exists: true }] }] },
    };
    expect(matchesPattern(pattern, envelope({ to: 'vote' }))).toBe(true);
    expect(matchesPattern(pattern, envelope({ to: 'results', reason: 'correction' }))).toBe(true);
    expect(matchesPattern(pattern, envelope({ to: 'results' }))).toBe(false);
    expect(matchesPattern({ ...pattern, source: ['bp.ideas'] }, envelope({ to: 'vote' }))).toBe(false);
  });

  it('rejects invalid patterns up front, as PutRule would', () => {
    for (const pattern of [
      { source: 'bp.editions' },
      { source: [] },
      { detail: { amount: [{ numeric: ['>'] }] } },
      { detail: { amount: [{ numeric: ['!=', 1] }] } },
      { detail: { x: [{ prefix: 'a', suffix: 'b' }] } },
      { detail: { x: [{ regex: 'a' }] } },
      { detail: { x: [{ exists: 'yes' }] } },
      { detail: { x: [{ wildcard: 'a**b' }] } },
      { $or: [{ source: ['a'] }] },
      [],
    ]) {
      expect(() => compilePattern(pattern), JSON.stringify(pattern)).toThrow(InvalidEventPatternError);
    }
  });
});
