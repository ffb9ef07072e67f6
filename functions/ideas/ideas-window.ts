import type { EditionConfig } from '../../shared/edition/edition-config.ts';
import type { Phase } from '../../shared/edition/phases.ts';
import { DomainError } from '../../shared/errors/domain-error.ts';
import { formatFrench, toInstant } from '../../shared/time/zoned.ts';
import type { IdeaRepository, IdeasWindow } from './idea-repository.ts';

export interface WindowState {
  opensAt: Date;
  closesAt: Date;
  extended: boolean;
}

/** The call for ideas as the calendar says, or as an admin extended it. */
export function ideasWindow(config: EditionConfig, stored: IdeasWindow | undefined): WindowState {
  const opensAt = toInstant(config.calendar.ideasOpen, config.timeZone);
  const calendarClose = toInstant(config.calendar.ideasClose, config.timeZone);
  const extended = stored !== undefined && stored.closesAtMs > calendarClose.getTime();
  return { opensAt, closesAt: extended ? new Date(stored.closesAtMs) : calendarClose, extended };
}

const ideasNotOpen = (detail: string) =>
  new DomainError({
    code: 'ideas_not_open',
    status: 409,
    title: 'Le dépôt d’idées n’est pas ouvert',
    detail,
  });
export const ideasClosed = (detail = 'Le dépôt et la modification des idées sont clos.') =>
  new DomainError({ code: 'ideas_closed', status: 409, title: 'Dépôt d’idées clos', detail });

/**
 * Both checks ARCHITECTURE.md asks for: the stored phase is `ideas` AND the clock is inside the window
 * (calendar, or the admin's extension). Throws the precise French reason otherwise.
 */
export function assertIdeasOpen(
  config: EditionConfig,
  phase: Phase | undefined,
  stored: IdeasWindow | undefined,
  now: Date,
): void {
  const window = ideasWindow(config, stored);
  const zone = config.timeZone;
  if (now.getTime() < window.opensAt.getTime() || phase === undefined || phase === 'setup') {
    throw ideasNotOpen(`L’appel à idées ouvre le ${formatFrench(window.opensAt, zone)}.`);
  }
  if (phase !== 'ideas' || now.getTime() >= window.closesAt.getTime()) {
    throw ideasClosed(
      `L’appel à idées est clos depuis le ${formatFrench(window.closesAt, zone)} : les idées ne peuvent plus être déposées ni modifiées.`,
    );
  }
}

/**
 * An author withdraws an idea only while the call for ideas is open (stored phase `ideas` and the clock inside
 * the window, as for edits): once it closes, the idea belongs to the instruction, the Comité citoyen and the
 * vote, and the pages no longer offer the withdrawal. Throws 409 `idea_withdrawal_closed` otherwise.
 */
export function assertWithdrawalOpen(
  config: EditionConfig,
  phase: Phase | undefined,
  stored: IdeasWindow | undefined,
  now: Date,
): void {
  const window = ideasWindow(config, stored);
  if (phase === 'ideas' && now.getTime() < window.closesAt.getTime()) return;
  throw new DomainError({
    code: 'idea_withdrawal_closed',
    status: 409,
    title: 'Retrait impossible',
    detail: `L’appel à idées est clos depuis le ${formatFrench(window.closesAt, config.timeZone)} : une idée ne peut plus être retirée. Elle suit désormais l’instruction ; pour toute question, écrivez à la coordination du budget participatif.`,
  });
}

/**
 * Extends the call for ideas (admin, with a reason, audited). The stored phase must still be `ideas`
 * for submissions to be accepted: an admin who closed the phase re-opens it with a phase change.
 */
export async function extendIdeasWindow(
  deps: { ideas: IdeaRepository; now: () => Date; newId: () => string },
  config: EditionConfig,
  request: { until: Date; reason: string; actor: { sub: string; role: string } },
): Promise<WindowState> {
  const stored = await deps.ideas.getWindow();
  const current = ideasWindow(config, stored);
  if (request.until.getTime() <= current.closesAt.getTime()) {
    throw new DomainError({
      code: 'extension_too_short',
      status: 400,
      title: 'Prolongation invalide',
      detail: `La nouvelle clôture doit être postérieure à la clôture actuelle (${formatFrench(current.closesAt, config.timeZone)}).`,
      errors: [{ field: 'body.until', message: 'Doit être postérieure à la clôture actuelle' }],
    });
  }
  const next: IdeasWindow = { closesAtMs: request.until.getTime(), version: (stored?.version ?? 0) + 1 };
  await deps.ideas.putWindow(next, stored?.version, {
    auditId: deps.newId(),
    action: 'extend',
    actor: `${request.actor.role}:${request.actor.sub}`,
    at: deps.now().toISOString(),
    reason: request.reason,
    detail: JSON.stringify({ closesAt: request.until.toISOString() }),
  });
  return ideasWindow(config, next);
}
