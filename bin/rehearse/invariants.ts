/**
 * What must hold after a rehearsal, as pure checks over what the driver saw: each returns an `Invariant`, and
 * the summary line names the ones that failed.
 */
import { parsePabulib } from '../../packages/counting/src/index.ts';
import type { Mail } from './mailbox.ts';

export interface Invariant {
  name: string;
  ok: boolean;
  detail: string;
}

const key = (projects: readonly string[]) => [...projects].sort().join(',');

/** Multiset difference `a - b` of ballots (each a set of project ids). */
function minus(a: Map<string, number>, b: Map<string, number>): number {
  let count = 0;
  for (const [ballot, n] of a) count += Math.max(0, n - (b.get(ballot) ?? 0));
  return count;
}

function tally(ballots: readonly (readonly string[])[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ballot of ballots) counts.set(key(ballot), (counts.get(key(ballot)) ?? 0) + 1);
  return counts;
}

/** The ballots of a pabulib file, each as its project ids. */
export function ballotsOfPabulib(text: string): string[][] {
  const instance = parsePabulib(text);
  const { offsets, projects, count } = instance.ballots;
  const ballots: string[][] = [];
  for (let i = 0; i < count; i++) {
    const ballot: string[] = [];
    for (let j = offsets[i] as number; j < (offsets[i + 1] as number); j++)
      ballot.push(instance.projects[projects[j] as number]?.id as string);
    ballots.push(ballot);
  }
  return ballots;
}

/**
 * Every ballot the platform accepted (online and paper) is in its envelope's published file, and the files
 * hold no other: per envelope, the multisets of ballots are equal (the files are anonymous: no receipt, no id).
 */
export function ballotsMatchFiles(
  accepted: ReadonlyMap<string, readonly (readonly string[])[]>,
  published: ReadonlyMap<string, readonly (readonly string[])[]>,
): Invariant {
  const problems: string[] = [];
  let total = 0;
  for (const envelope of new Set([...accepted.keys(), ...published.keys()])) {
    const ours = tally(accepted.get(envelope) ?? []);
    const theirs = tally(published.get(envelope) ?? []);
    total += accepted.get(envelope)?.length ?? 0;
    const missing = minus(ours, theirs);
    const extra = minus(theirs, ours);
    if (missing || extra) problems.push(`${envelope}: ${missing} missing from the file, ${extra} not cast`);
  }
  return {
    name: 'ballots-in-files',
    ok: problems.length === 0,
    detail: problems.length ? problems.join('; ') : `${total} ballots, each in its envelope's file, no other`,
  };
}

/** Each receipt checked says « counted ». */
export function receiptsCheck(results: readonly { code: string; counted: boolean }[]): Invariant {
  const failed = results.filter((r) => !r.counted);
  return {
    name: 'receipts',
    ok: failed.length === 0 && results.length > 0,
    detail:
      results.length === 0
        ? 'no receipt checked'
        : `${results.length - failed.length}/${results.length} receipts counted`,
  };
}

/** The recount of each published file (`bp count`) selects the published winners. */
export function recountMatches(
  envelopes: readonly { id: string; published: readonly string[]; recounted: readonly string[] }[],
): Invariant {
  const differing = envelopes.filter((e) => key(e.published) !== key(e.recounted));
  return {
    name: 'recount',
    ok: differing.length === 0 && envelopes.length > 0,
    detail: differing.length
      ? differing
          .map((e) => `${e.id}: published ${key(e.published)} ≠ recounted ${key(e.recounted)}`)
          .join('; ')
      : `${envelopes.length} envelopes recounted to the published winners`,
  };
}

/**
 * Each email was sent once: no two emails with the same recipient, subject and text, and each email the
 * driver caused arrived as many times as it caused it (`expected`: recipient → subject fragment → count; a
 * request the client sent again after a 503 may have sent its email at each attempt, hence `min` to `max`).
 */
export function emailsOnce(
  mails: readonly Mail[],
  expected: ReadonlyMap<string, ReadonlyMap<string, { min: number; max: number }>>,
): Invariant {
  const seen = new Map<string, number>();
  for (const mail of mails) {
    const id = `${[...mail.destination.to].sort().join(',')}\n${mail.subject}\n${mail.body.text ?? mail.body.html ?? ''}`;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const twice = [...seen].filter(([, n]) => n > 1);
  const problems: string[] = twice
    .slice(0, 3)
    .map(([id, n]) => `${n}× « ${id.split('\n')[1]} » to ${id.split('\n')[0]}`);
  if (twice.length > 3) problems.push(`and ${twice.length - 3} more sent twice`);
  let checked = 0;
  const byRecipient = new Map<string, Mail[]>();
  for (const mail of mails)
    for (const to of mail.destination.to) {
      const list = byRecipient.get(to.toLowerCase()) ?? [];
      list.push(mail);
      byRecipient.set(to.toLowerCase(), list);
    }
  let wrong = 0;
  for (const [to, fragments] of expected) {
    for (const [fragment, { min, max }] of fragments) {
      checked += 1;
      const got = (byRecipient.get(to.toLowerCase()) ?? []).filter((m) =>
        m.subject.includes(fragment),
      ).length;
      if (got < min || got > max) {
        wrong += 1;
        const count = min === max ? String(min) : `${min} to ${max}`;
        if (wrong <= 3) problems.push(`${to}: ${got} × « ${fragment} », expected ${count}`);
      }
    }
  }
  if (wrong > 3) problems.push(`and ${wrong - 3} more recipients with a wrong count`);
  return {
    name: 'emails-once',
    ok: problems.length === 0,
    detail: problems.length
      ? problems.join('; ')
      : `${mails.length} emails, none twice, ${checked} expected counts`,
  };
}

export function deadLettersEmpty(deadLetters: readonly unknown[]): Invariant {
  return {
    name: 'dead-letters',
    ok: deadLetters.length === 0,
    detail: deadLetters.length ? `${deadLetters.length} dead letters` : 'no dead letter',
  };
}

/** The public turnout counters equal the ballots accepted, per envelope and in all. */
export function turnoutMatches(
  counters: ReadonlyMap<string, number>,
  accepted: ReadonlyMap<string, number>,
): Invariant {
  const problems: string[] = [];
  for (const envelope of new Set([...counters.keys(), ...accepted.keys()])) {
    const counted = counters.get(envelope) ?? 0;
    const ours = accepted.get(envelope) ?? 0;
    if (counted !== ours) problems.push(`${envelope}: counter ${counted}, ballots ${ours}`);
  }
  return {
    name: 'turnout',
    ok: problems.length === 0,
    detail: problems.length ? problems.join('; ') : 'turnout counters equal the ballots',
  };
}

/** A check made along the way (e.g. a second ballot refused), kept as an invariant of its own. */
export function along(name: string, failures: readonly string[], okDetail: string): Invariant {
  return {
    name,
    ok: failures.length === 0,
    detail: failures.length ? `${failures.length} failures: ${failures.slice(0, 3).join('; ')}` : okDetail,
  };
}

/** `invariants=ok`, or `invariants=failed:a,b`. */
export function invariantsField(invariants: readonly Invariant[]): string {
  const failed = invariants.filter((i) => !i.ok).map((i) => i.name);
  return failed.length ? `invariants=failed:${failed.join(',')}` : 'invariants=ok';
}
