import { DomainError } from '../../shared/errors/domain-error.ts';

/** Where no storage was given to the function (an installation without a bucket). */
export const picturesUnavailable = () =>
  new DomainError({
    code: 'pictures_unavailable',
    status: 409,
    title: 'Photos indisponibles',
    detail:
      'L’ajout de photos n’est pas disponible sur cette installation (pas de stockage de fichiers) : votre idée reste enregistrée sans photo.',
  });
