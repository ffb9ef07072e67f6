import { createHash, randomBytes, randomInt } from 'node:crypto';
import { conflict, DomainError } from '../../shared/errors/domain-error.ts';
import type { EnvelopeChoices } from '../../shared/http/voting-schemas.ts';
import { type VoteSnapshot, voterEnvelopes } from '../../shared/voting/frozen-snapshot.ts';
import { validateBallot } from './ballot-rules.ts';
import { dateIn, refusalError } from './cast-ballot.ts';
import type {
  PaperSheet,
  PaperSheetRepository,
  SheetDifference,
  SheetEntry,
} from './paper-sheet-repository.ts';
import { newReceiptCode } from './receipt-seal.ts';
import { identityRefused, voteNotOpen } from './vote-refusals.ts';
import { BALLOT_SHARDS, TURNOUT_SHARDS, type VotingRepository } from './voting-repository.ts';

export interface PaperDeps {
  edition: string;
  votes: VotingRepository;
  sheets: PaperSheetRepository;
  snapshot: (options: { freezeIfVote: boolean }) => Promise<{ snapshot: VoteSnapshot } | undefined>;
  /** Keyed hash of a typed voting code (the identity function's `fingerprint-key`). */
  votingCodeHash: (code: string) => Promise<string>;
  now: () => Date;
  newId: () => string;
}

export interface SheetView {
  sheet: string;
  status: PaperSheet['status'];
  differences?: SheetDifference[];
  refusal?: string;
  entries: { agent: string; at: string }[];
  resolution?: PaperSheet['resolution'];
  updatedAt: string;
}

export function sheetView(sheet: PaperSheet): SheetView {
  return {
    sheet: sheet.sheet,
    status: sheet.status,
    ...(sheet.differences ? { differences: sheet.differences } : {}),
    ...(sheet.refusal ? { refusal: sheet.refusal } : {}),
    entries: sheet.entries.map(({ agent, at }) => ({ agent, at })),
    ...(sheet.resolution ? { resolution: sheet.resolution } : {}),
    updatedAt: sheet.updatedAt,
  };
}

const digest = (salt: string, sheet: string, part: string, value: string) =>
  createHash('sha256').update(`${salt}\u0000${sheet}\u0000${part}\u0000${value}`).digest('base64url');

/** What the sheet says, checked: the voter (by their code) and their ballot by the frozen rules. */
async function readSheet(
  deps: PaperDeps,
  input: { votingCode: string; choices: Record<string, EnvelopeChoices> },
) {
  const frozen = await deps.snapshot({ freezeIfVote: true });
  if (!frozen) throw voteNotOpen();
  const { snapshot } = frozen;
  const codeHash = await deps.votingCodeHash(input.votingCode);
  const code = await deps.votes.getVotingCode(codeHash);
  if (!code) {
    throw new DomainError({
      code: 'voting_code_unknown',
      status: 422,
      title: 'Code de vote inconnu',
      detail: 'Ce code de vote ne correspond à aucune inscription sur place : vérifiez la saisie.',
      errors: [{ field: 'body.votingCode', message: 'Code de vote inconnu' }],
    });
  }
  if (code.usedAt) throw votingCodeUsed();
  const identity = await deps.votes.getVoterIdentity(code.citizenId);
  if (!identity) throw identityRefused('identity_unknown', 'L’inscription liée à ce code est introuvable.');
  const envelopes = voterEnvelopes(snapshot, identity.territory);
  const valid = validateBallot(snapshot, envelopes, input.choices);
  const canonical = JSON.stringify([...valid].sort(([a], [b]) => (a < b ? -1 : 1)));
  return { snapshot, codeHash, citizenId: code.citizenId, territory: identity.territory, valid, canonical };
}

type ReadSheet = Awaited<ReturnType<typeof readSheet>>;

const votingCodeUsed = () =>
  new DomainError({
    code: 'voting_code_used',
    status: 409,
    title: 'Code de vote déjà utilisé',
    detail: 'Ce code de vote a déjà servi : un seul bulletin par personne.',
  });

const votingCodeExpired = () =>
  new DomainError({
    code: 'voting_code_expired',
    status: 409,
    title: 'Code de vote expiré',
    detail: 'Ce code de vote n’est plus valable : le vote est clos.',
  });

/**
 * Casts the ballot a sheet holds, in ONE transaction like an online ballot (phase, window, identity, marker
 * absent, turnout `paper`, ballot(s) with channel `paper` and no voter link) plus the voting code spent and
 * the sheet closed. A definitive refusal (already voted, code used or expired) closes the sheet `refused`.
 */
async function castSheet(
  deps: PaperDeps,
  sheet: PaperSheet,
  read: ReadSheet,
  closed: Omit<PaperSheet, 'version'>,
): Promise<PaperSheet> {
  const now = deps.now();
  const next: PaperSheet = { ...closed, version: sheet.version + 1 };
  const outcome = await deps.votes.cast({
    voterId: read.citizenId,
    territory: read.territory,
    channel: 'paper',
    date: dateIn(read.snapshot.timeZone, now),
    receipt: newReceiptCode(),
    ballots: [...read.valid].map(([envelope, choices]) => ({ ballotId: deps.newId(), envelope, choices })),
    ballotShard: randomInt(BALLOT_SHARDS),
    turnoutShard: randomInt(TURNOUT_SHARDS),
    nowMs: now.getTime(),
    refuseInPersonIdentity: false,
    redeemCode: { codeHash: read.codeHash, configuredCloseMs: Date.parse(read.snapshot.closesAt) },
    extra: [deps.sheets.replaceItem(sheet.version, next)],
  });
  if (outcome.ok) return next;
  const refusal = outcome.refusal;
  if (refusal.kind === 'extra') {
    throw conflict(
      'sheet_changed_meanwhile',
      'Cette feuille vient d’être saisie par ailleurs : rechargez puis réessayez.',
    );
  }
  const error =
    refusal.kind === 'voting-code'
      ? refusal.code?.usedAt
        ? votingCodeUsed()
        : votingCodeExpired()
      : refusalError(refusal, read.snapshot, now);
  if (['already_voted', 'voting_code_used', 'voting_code_expired'].includes(error.code)) {
    const { salt: _salt, ...rest } = sheet;
    await deps.sheets.replace(sheet.version, {
      ...rest,
      status: 'refused',
      refusal: error.code,
      entries: sheet.entries.map(({ agent, at }) => ({ agent, at })),
      updatedAt: now.toISOString(),
      version: sheet.version + 1,
    });
  }
  throw error;
}

/**
 * Double entry of a paper sheet by two agents. The first entry is checked (known code, the voter's
 * envelopes, the frozen rules) and stored pending as digests only. A second entry by ANOTHER agent that
 * matches casts the ballot (see `castSheet`); one that differs flags the sheet for a third agent. Retrying
 * one's own entry is harmless; a third entry on a flagged or closed sheet is refused.
 */
export async function enterPaperBallot(
  deps: PaperDeps,
  input: { sheet: string; votingCode: string; choices: Record<string, EnvelopeChoices>; agent: string },
): Promise<SheetView> {
  let checked: ReadSheet | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const at = deps.now().toISOString();
    const stored = await deps.sheets.get(input.sheet);
    // A retry of an entry that cast the sheet answers the same (its code is spent by now).
    if (stored?.status === 'cast' && stored.entries.some((entry) => entry.agent === input.agent))
      return sheetView(stored);
    if (stored?.status === 'flagged') throw sheetFlagged();
    if (stored && stored.status !== 'pending') {
      throw new DomainError({
        code: 'sheet_closed',
        status: 409,
        title: 'Feuille déjà traitée',
        detail: `La feuille ${input.sheet} est déjà traitée (${statusLabel[stored.status]}).`,
      });
    }
    checked ??= await readSheet(deps, input);
    const read = checked;
    if (!stored) {
      const salt = randomBytes(16).toString('base64url');
      const first: PaperSheet = {
        sheet: input.sheet,
        status: 'pending',
        salt,
        entries: [entryOf(salt, input, read, at)],
        updatedAt: at,
        version: 1,
      };
      if ((await deps.sheets.create(first)) === 'created') return sheetView(first);
      continue;
    }
    const mine = stored.entries.find((entry) => entry.agent === input.agent);
    const salt = stored.salt ?? '';
    const entry = entryOf(salt, input, read, at);
    const [firstEntry] = stored.entries;
    if (!firstEntry) throw new Error('Pending sheet without entry');
    if (mine) {
      if (mine.codeDigest === entry.codeDigest && mine.choicesDigest === entry.choicesDigest)
        return sheetView(stored);
      throw new DomainError({
        code: 'second_agent_required',
        status: 409,
        title: 'Deuxième saisie par un autre agent',
        detail: 'Vous avez déjà saisi cette feuille : la deuxième saisie doit être faite par un autre agent.',
      });
    }
    const differences: SheetDifference[] = [
      ...(firstEntry.codeDigest !== entry.codeDigest ? (['votingCode'] as const) : []),
      ...(firstEntry.choicesDigest !== entry.choicesDigest ? (['choices'] as const) : []),
    ];
    if (differences.length > 0) {
      const flagged: PaperSheet = {
        ...stored,
        status: 'flagged',
        entries: [...stored.entries, entry],
        differences,
        updatedAt: at,
        version: stored.version + 1,
      };
      await deps.sheets.replace(stored.version, flagged);
      return sheetView(flagged);
    }
    const { salt: _salt, ...rest } = stored;
    const cast = await castSheet(deps, stored, read, {
      ...rest,
      status: 'cast',
      entries: [...stored.entries, entry].map(({ agent, at: when }) => ({ agent, at: when })),
      updatedAt: at,
    });
    return sheetView(cast);
  }
  throw conflict('sheet_changed_meanwhile', 'Cette feuille vient d’être saisie par ailleurs : réessayez.');
}

/**
 * A third agent (neither of the two who typed it) settles a flagged sheet from the paper itself: casts what
 * it says (same checks and transaction as a matching double entry) or voids it with a reason (no ballot,
 * the code stays unused).
 */
export async function resolvePaperSheet(
  deps: PaperDeps,
  input: {
    sheet: string;
    agent: string;
    decision:
      | { decision: 'cast'; votingCode: string; choices: Record<string, EnvelopeChoices> }
      | { decision: 'void'; reason: string };
  },
): Promise<SheetView> {
  const stored = await deps.sheets.get(input.sheet);
  if (!stored) {
    throw new DomainError({
      code: 'sheet_not_found',
      status: 404,
      title: 'Feuille inconnue',
      detail: `Aucune saisie de la feuille ${input.sheet}.`,
    });
  }
  if (stored.status !== 'flagged') {
    throw new DomainError({
      code: 'sheet_not_flagged',
      status: 409,
      title: 'Rien à arbitrer',
      detail: `La feuille ${input.sheet} n’attend pas d’arbitrage (${statusLabel[stored.status]}).`,
    });
  }
  if (stored.entries.some((entry) => entry.agent === input.agent)) {
    throw new DomainError({
      code: 'third_agent_required',
      status: 409,
      title: 'Arbitrage par un troisième agent',
      detail: 'Vous avez saisi cette feuille : l’arbitrage revient à un agent qui ne l’a pas saisie.',
    });
  }
  const at = deps.now().toISOString();
  const { salt: _salt, ...rest } = stored;
  const closed = {
    ...rest,
    entries: stored.entries.map(({ agent, at: when }) => ({ agent, at: when })),
    updatedAt: at,
  };
  if (input.decision.decision === 'void') {
    const voided: PaperSheet = {
      ...closed,
      status: 'void',
      resolution: { agent: input.agent, at, decision: 'void', reason: input.decision.reason },
      version: stored.version + 1,
    };
    await deps.sheets.replace(stored.version, voided);
    return sheetView(voided);
  }
  const read = await readSheet(deps, input.decision);
  const cast = await castSheet(deps, stored, read, {
    ...closed,
    status: 'cast',
    resolution: { agent: input.agent, at, decision: 'cast' },
  });
  return sheetView(cast);
}

function entryOf(
  salt: string,
  input: { sheet: string; agent: string },
  read: ReadSheet,
  at: string,
): SheetEntry {
  return {
    agent: input.agent,
    at,
    codeDigest: digest(salt, input.sheet, 'code', read.codeHash),
    choicesDigest: digest(salt, input.sheet, 'choices', read.canonical),
  };
}

const sheetFlagged = () =>
  new DomainError({
    code: 'sheet_flagged',
    status: 409,
    title: 'Feuille à arbitrer',
    detail: 'Les deux saisies de cette feuille diffèrent : elle attend l’arbitrage d’un troisième agent.',
  });

const statusLabel: Record<PaperSheet['status'], string> = {
  pending: 'en attente de deuxième saisie',
  flagged: 'à arbitrer',
  cast: 'bulletin compté',
  void: 'bulletin nul',
  refused: 'refusée',
};

/**
 * The envelopes and projects a paper sheet prints, in the list's order (by envelope, then project id): the
 * « Bulletins papier » page shows them by name, as on the sheet, and sends their ids.
 */
export function paperSheetBallot(snapshot: VoteSnapshot): {
  envelopes: {
    id: string;
    name: string;
    kind: 'territory' | 'departement';
    projects: { id: string; title: string }[];
  }[];
} {
  return {
    envelopes: snapshot.envelopes.map((envelope) => ({
      id: envelope.id,
      name: envelope.name,
      kind: envelope.id === snapshot.departementWide ? 'departement' : 'territory',
      projects: snapshot.projects
        .filter((project) => project.envelope === envelope.id)
        .map((project) => ({ id: project.id, title: project.title })),
    })),
  };
}
