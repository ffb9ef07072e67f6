import { describe, expect, it } from 'vitest';
import { voterState } from '../../functions/voting/read-ballot.ts';
import type { VoteWindow } from '../../functions/voting/voting-repository.ts';

const opensAtMs = Date.parse('2023-09-01T06:00:00Z');
const closesAtMs = Date.parse('2023-09-30T16:00:00Z');
const snapshot = { opensAt: new Date(opensAtMs).toISOString(), closesAt: new Date(closesAtMs).toISOString() };
const window: VoteWindow = { opensAtMs, closesAtMs, paused: false, version: 1 };
const during = new Date('2023-09-10T10:00:00Z');

describe('where a voter stands, as the ballot page shows it before any choice', () => {
  it('is open during the window, in the vote phase, for someone who has not voted', () => {
    expect(voterState({ snapshot, phase: 'vote', window, voted: false, now: during })).toEqual({
      status: 'open',
      opensAt: snapshot.opensAt,
      closesAt: snapshot.closesAt,
    });
  });

  it('says "voted" first, whatever the window', () => {
    expect(voterState({ snapshot, phase: 'vote', window, voted: true, now: during }).status).toBe('voted');
    expect(voterState({ snapshot, phase: 'results', window, voted: true, now: during }).status).toBe('voted');
  });

  it('tells paused, not open yet and closed apart, as the cast refusals do', () => {
    const state = (over: Partial<Parameters<typeof voterState>[0]>) =>
      voterState({ snapshot, phase: 'vote', window, voted: false, now: during, ...over }).status;
    expect(state({ window: { ...window, paused: true } })).toBe('paused');
    expect(state({ now: new Date(opensAtMs - 1) })).toBe('not-open');
    expect(state({ window: undefined })).toBe('not-open');
    expect(state({ phase: 'ballot-preparation' })).toBe('not-open');
    expect(state({ now: new Date(closesAtMs) })).toBe('closed');
    expect(state({ phase: 'counting' })).toBe('closed');
  });

  it('gives the window in force: an extension moves the closing instant', () => {
    const extended = { ...window, closesAtMs: closesAtMs + 86_400_000 };
    expect(
      voterState({ snapshot, phase: 'vote', window: extended, voted: false, now: during }).closesAt,
    ).toBe(new Date(closesAtMs + 86_400_000).toISOString());
  });
});
