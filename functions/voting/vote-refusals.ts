import { DomainError } from '../../shared/errors/domain-error.ts';
import { formatFrench } from '../../shared/time/zoned.ts';

const closedTitle = 'Vote fermé';

export const voteNotOpen = (opensAt?: Date, timeZone?: string) =>
  new DomainError({
    code: 'vote_not_open',
    status: 409,
    title: 'Le vote n’est pas ouvert',
    detail:
      opensAt && timeZone
        ? `Le vote ouvre le ${formatFrench(opensAt, timeZone)}.`
        : 'Le vote n’est pas encore ouvert.',
  });

export const voteClosed = (closedAt?: Date, timeZone?: string) =>
  new DomainError({
    code: 'vote_closed',
    status: 409,
    title: closedTitle,
    detail:
      closedAt && timeZone
        ? `Le vote est clos depuis le ${formatFrench(closedAt, timeZone)}.`
        : 'Le vote est clos.',
  });

export const votePaused = () =>
  new DomainError({
    code: 'vote_paused',
    status: 409,
    title: 'Vote suspendu',
    detail: 'Le vote est momentanément suspendu par l’équipe du budget participatif. Réessayez plus tard.',
  });

export const alreadyVoted = () =>
  new DomainError({
    code: 'already_voted',
    status: 409,
    title: 'Vous avez déjà voté',
    detail:
      'Un bulletin a déjà été enregistré pour vous dans cette édition (en ligne ou sur papier). Un vote ne peut pas être modifié après confirmation.',
  });

export const identityRefused = (code: string, detail: string) =>
  new DomainError({ code, status: 403, title: 'Vote impossible', detail });
