import { createHash } from 'node:crypto';
import {
  type BallotInput,
  type CountOptions,
  compareCodePoints,
  count,
  countResultToJson,
  createInstance,
  describeTieBreak,
  explainProject,
  formatAmount,
  RULE_LABELS,
  type RuleName,
  type TieBreak,
  writePabulib,
} from '../../shared/counting/index.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import type { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';
import type { EnvelopeResult } from './results-model.ts';
import type { StoredChoices } from './results-repository.ts';

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The frozen counting rule as the library's options, for one envelope when given: the product rules of the
 * règlement (repêchage per territory, amounts reserved for a category) apply when the edition asks for them.
 * The CLI recounts the `.pb` with the same rule, tie-break and threshold.
 */
export function countOptions(
  snapshot: VoteSnapshot,
  envelope?: { id: string },
): CountOptions & { tieBreak: TieBreak } {
  const { counting } = snapshot;
  if (counting.tieBreak === 'published-lottery') {
    // The drawn order is not part of the edition config yet: counting without it would be a guess.
    throw new DomainError({
      code: 'tie_break_order_missing',
      status: 409,
      title: 'Ordre de tirage au sort manquant',
      detail: 'Le départage par tirage au sort publié demande l’ordre tiré, absent de la configuration.',
    });
  }
  return {
    rule: counting.rule as RuleName,
    tieBreak: counting.tieBreak === 'lower-cost' ? { kind: 'lower-cost' } : { kind: 'id' },
    ...(counting.minimumSupport > 0 ? { minimumSupport: counting.minimumSupport } : {}),
    ...(counting.atLeastOneWinnerPerTerritory ? { atLeastOnePerTerritory: true } : {}),
    ...(envelope ? reservedFor(snapshot, envelope.id) : {}),
  };
}

function reservedFor(snapshot: VoteSnapshot, envelope: string): Pick<CountOptions, 'reserved'> {
  const reserved = (snapshot.counting.reservedAmounts ?? [])
    .filter((r) => r.envelope === envelope)
    .map((r) => ({ category: r.category, amount: r.amount }));
  return reserved.length > 0 ? { reserved } : {};
}

/** The territory a project stands for in the repêchage: its own, else its territorial envelope's. */
function territoryOf(snapshot: VoteSnapshot, project: VoteSnapshot['projects'][number]): string | undefined {
  if (project.territory) return project.territory;
  return project.envelope === snapshot.departementWide ? undefined : project.envelope;
}

/** The rule in plain French, for the public page. */
export function describeCounting(snapshot: VoteSnapshot) {
  const options = countOptions(snapshot);
  const threshold =
    snapshot.counting.minimumSupport > 0
      ? ` Un projet doit recueillir au moins ${snapshot.counting.minimumSupport} voix pour pouvoir être retenu.`
      : '';
  const repechage = snapshot.counting.atLeastOneWinnerPerTerritory
    ? ' Chaque territoire a au moins un lauréat : un territoire resté sans lauréat voit son projet le plus soutenu qui rentre dans le budget financé en premier (repêchage), puis le reste est dépouillé à nouveau.'
    : '';
  const names = new Map(snapshot.envelopes.map((e) => [e.id, e.name]));
  const reserved = (snapshot.counting.reservedAmounts ?? [])
    .map(
      (r) =>
        ` Dans l’enveloppe « ${names.get(r.envelope) ?? r.envelope} », ${formatAmount(BigInt(r.amount), 0, 'EUR')} sont réservés aux projets « ${r.category} », départagés d’abord entre eux ; ce qu’ils n’utilisent pas revient à l’enveloppe.`,
    )
    .join('');
  return {
    rule: options.rule,
    ruleLabel: RULE_LABELS[options.rule],
    ruleDescription:
      `Chaque enveloppe est dépouillée séparément, avec son propre budget et les bulletins de ses votants : ${RULE_LABELS[options.rule]}. ` +
      `En cas d’égalité, le départage se fait par ${describeTieBreak(options.tieBreak)}.${threshold}${repechage}${reserved}`,
    tieBreak: snapshot.counting.tieBreak,
    tieBreakLabel: describeTieBreak(options.tieBreak),
    minimumSupport: snapshot.counting.minimumSupport,
    atLeastOneWinnerPerTerritory: snapshot.counting.atLeastOneWinnerPerTerritory,
    ...(snapshot.counting.reservedAmounts?.length
      ? { reservedAmounts: snapshot.counting.reservedAmounts }
      : {}),
    ballotKind: snapshot.rules.kind,
  };
}

/** A ballot as the library wants it, project ids sorted by code point (canonical, whatever the voter's order). */
function canonicalBallot(choices: StoredChoices): BallotInput {
  if (Array.isArray(choices)) return { projects: [...choices].sort(compareCodePoints) };
  const ids = Object.keys(choices).sort(compareCodePoints);
  return { projects: ids, points: ids.map((id) => choices[id] as number) };
}

const ballotKey = (ballot: BallotInput) => `${ballot.projects.join(',')};${(ballot.points ?? []).join(',')}`;

/**
 * Counts one envelope from its stored ballots with the frozen rule, and writes its canonical anonymised
 * ballot file: projects by id, ballots sorted by their text, numbered 1..n (no receipt, no date, no channel),
 * so the same ballots always give the same bytes and the same SHA-256.
 */
export function countEnvelope(
  snapshot: VoteSnapshot,
  envelope: { id: string; name: string; amount: number },
  stored: readonly StoredChoices[],
  edition: string,
): { result: EnvelopeResult; ballotsFile: string } {
  const options = countOptions(snapshot, envelope);
  const projects = snapshot.projects
    .filter((p) => p.envelope === envelope.id)
    .sort((a, b) => compareCodePoints(a.id, b.id));
  const ballots = stored
    .map(canonicalBallot)
    .map((ballot) => ({ ballot, key: ballotKey(ballot) }))
    .sort((a, b) => compareCodePoints(a.key, b.key))
    .map(({ ballot }) => ballot);
  const cumulative = snapshot.rules.kind === 'cumulative';
  const instance = createEnvelopeInstance(
    snapshot,
    envelope,
    projects,
    ballots,
    edition,
    cumulative,
    options,
  );
  const ballotsFile = writePabulib(instance);
  const result = count(instance, options);
  const titles = new Map(projects.map((p) => [p.id, p]));
  const territoryNames = new Map(snapshot.envelopes.map((e) => [e.id, e.name]));
  const rank = new Map(result.selected.map((id, i) => [id, i + 1]));
  const lines = [...result.explanations.values()].map((e) => {
    const project = titles.get(e.id);
    return {
      id: e.id,
      title: project?.title ?? e.id,
      theme: project?.theme ?? '',
      cost: Number(e.cost),
      support: e.support / 10 ** result.supportDecimals,
      selected: e.selected,
      status: e.status,
      ...(rank.has(e.id) ? { rank: rank.get(e.id) } : {}),
      explanation: explainProject(e, result, 'EUR', { territory: (id) => territoryNames.get(id) ?? id }),
    };
  });
  lines.sort((a, b) => b.support - a.support || compareCodePoints(a.id, b.id));
  return {
    ballotsFile,
    result: {
      id: envelope.id,
      name: envelope.name,
      budget: envelope.amount,
      spent: Number(result.spent),
      ballots: ballots.length,
      supportUnit: result.supportUnit,
      selected: result.selected,
      projects: lines,
      ballotsSha256: sha256(ballotsFile),
      count: countResultToJson(result),
    },
  };
}

function createEnvelopeInstance(
  snapshot: VoteSnapshot,
  envelope: { id: string; name: string; amount: number },
  projects: VoteSnapshot['projects'],
  ballots: BallotInput[],
  edition: string,
  cumulative: boolean,
  options: CountOptions,
) {
  return createInstance({
    budget: envelope.amount,
    voteType: cumulative ? 'cumulative' : 'approval',
    meta: {
      description: `Budget participatif ${edition}, enveloppe « ${envelope.name} » (bulletins anonymisés)`,
      country: 'France',
      unit: envelope.name,
      instance: `${edition}-${envelope.id}`,
      currency: 'EUR',
      rule: snapshot.counting.rule,
      ...(options.atLeastOnePerTerritory ? { min_one_winner_per_territory: 'true' } : {}),
      ...(options.reserved
        ? { reserved_amounts: options.reserved.map((r) => `${r.category}:${r.amount}`).join(',') }
        : {}),
      date_begin: snapshot.opensAt.slice(0, 10),
      date_end: snapshot.closesAt.slice(0, 10),
    },
    projects: projects.map((p) => {
      const territory = territoryOf(snapshot, p);
      const categories = [p.theme, ...(p.categories ?? [])];
      // Columns only when a product rule reads them: files of editions without one keep their bytes.
      const ruled = options.atLeastOnePerTerritory || options.reserved;
      return {
        id: p.id,
        cost: p.cost,
        name: p.title,
        fields: { theme: p.theme },
        ...(ruled ? { categories, ...(territory ? { territory } : {}) } : {}),
      };
    }),
    ballots,
  });
}
