import { apiRequest } from './api.ts';
import type { SiteConfig } from './config.ts';
import { byId, fill, h } from './dom.ts';
import { clearFieldErrors, showFieldErrors } from './forms.ts';

/**
 * The profile fields shared by « Vérifier mon identité » and the in-person registration form (same ids on
 * both pages): names, birth date, postcode → commune (looked up in the edition), "work or study here".
 */
export interface ProfileValues {
  firstName: string;
  lastName: string;
  birthDate: string;
  postcode: string;
  commune: string;
  workOrStudy: boolean;
}

interface Commune {
  code: string;
  name: string;
}

export interface ProfileForm {
  /** API field name → control, for `showFieldErrors`. */
  fields: Record<string, HTMLElement | undefined>;
  values(): ProfileValues;
  restore(values: Partial<ProfileValues>): void;
  /** The profile as the API takes it, or `undefined` when every field is empty. */
  body(): Record<string, unknown> | undefined;
  /** Local checks before calling the API; shows the errors and says whether the profile may be sent. */
  check(): boolean;
  reset(): void;
}

export function setupProfileForm(
  config: SiteConfig,
  options: { allowWorkOrStudy: boolean; onChange?: () => void },
): ProfileForm {
  const firstName = byId<HTMLInputElement>('first-name');
  const lastName = byId<HTMLInputElement>('last-name');
  const birthDate = byId<HTMLInputElement>('birth-date');
  const postcode = byId<HTMLInputElement>('postcode');
  const commune = byId<HTMLSelectElement>('commune');
  const communeField = byId('commune-field');
  const workOrStudy = byId<HTMLInputElement>('work-or-study');
  const workOrStudyField = byId('work-or-study-field');
  const lookupStatus = byId('commune-status');
  workOrStudyField.hidden = !options.allowWorkOrStudy;
  if (!options.allowWorkOrStudy) workOrStudy.checked = false;

  const fields: Record<string, HTMLElement | undefined> = {
    'body.profile.firstName': firstName,
    'body.profile.lastName': lastName,
    'body.profile.birthDate': birthDate,
    'body.profile.postcode': postcode,
    'body.profile.commune': commune,
  };

  let looked = '';
  let wanted = '';
  const lookUp = async () => {
    const code = postcode.value.trim();
    if (code === looked) return;
    looked = code;
    if (!/^\d{5}$/.test(code)) {
      fill(commune);
      communeField.hidden = true;
      fill(lookupStatus);
      return;
    }
    clearFieldErrors({ postcode, commune });
    fill(lookupStatus, 'Recherche des communes…');
    try {
      const { communes } = await apiRequest<{ communes: Commune[] }>(
        config,
        `/editions/${encodeURIComponent(config.edition)}/identity/communes?postcode=${code}`,
      );
      if (postcode.value.trim() !== code) return;
      if (communes.length === 0) {
        fill(commune);
        communeField.hidden = true;
        fill(lookupStatus);
        showFieldErrors({ postcode }, [
          {
            field: 'postcode',
            message: `Aucune commune de l’édition n’a le code postal ${code}. Vérifiez-le : la participation est réservée au Département.`,
          },
        ]);
        return;
      }
      fill(
        commune,
        ...(communes.length > 1 ? [h('option', { value: '' }, 'Choisissez votre commune')] : []),
        ...communes.map((item) =>
          h('option', { value: item.code, selected: item.code === wanted }, `${item.name} (${item.code})`),
        ),
      );
      communeField.hidden = false;
      fill(
        lookupStatus,
        communes.length === 1
          ? `Commune trouvée\u00a0: ${communes[0]?.name}.`
          : `${communes.length} communes ont ce code postal\u00a0: choisissez la vôtre.`,
      );
    } catch {
      // The API checks the postcode again at submission: the lookup is a convenience.
      fill(lookupStatus);
      looked = '';
    }
  };
  postcode.addEventListener('input', () => {
    void lookUp();
    options.onChange?.();
  });
  for (const control of [firstName, lastName, birthDate, commune, workOrStudy]) {
    control.addEventListener('change', () => options.onChange?.());
    control.addEventListener('input', () => options.onChange?.());
  }

  const values = (): ProfileValues => ({
    firstName: firstName.value,
    lastName: lastName.value,
    birthDate: birthDate.value,
    postcode: postcode.value.trim(),
    commune: commune.value,
    workOrStudy: workOrStudy.checked,
  });

  return {
    fields,
    values,
    restore(saved) {
      firstName.value = saved.firstName ?? '';
      lastName.value = saved.lastName ?? '';
      birthDate.value = saved.birthDate ?? '';
      postcode.value = saved.postcode ?? '';
      wanted = saved.commune ?? '';
      workOrStudy.checked = options.allowWorkOrStudy && saved.workOrStudy === true;
      void lookUp();
    },
    body() {
      const v = values();
      if (!v.firstName.trim() && !v.lastName.trim() && !v.birthDate && !v.postcode) return undefined;
      return {
        firstName: v.firstName.trim(),
        lastName: v.lastName.trim(),
        birthDate: v.birthDate,
        ...(v.commune ? { commune: v.commune } : { postcode: v.postcode }),
        workOrStudy: v.workOrStudy,
      };
    },
    check() {
      const v = values();
      const errors: { field: string; message: string }[] = [];
      if (!v.firstName.trim())
        errors.push({ field: 'body.profile.firstName', message: 'Saisissez le prénom.' });
      if (!v.lastName.trim()) errors.push({ field: 'body.profile.lastName', message: 'Saisissez le nom.' });
      if (!v.birthDate)
        errors.push({ field: 'body.profile.birthDate', message: 'Saisissez la date de naissance.' });
      if (!/^\d{5}$/.test(v.postcode))
        errors.push({ field: 'body.profile.postcode', message: 'Saisissez un code postal de 5 chiffres.' });
      else if (!communeField.hidden && !v.commune)
        errors.push({ field: 'body.profile.commune', message: 'Choisissez la commune.' });
      return !showFieldErrors(fields, errors);
    },
    reset() {
      for (const input of [firstName, lastName, birthDate, postcode]) input.value = '';
      workOrStudy.checked = false;
      fill(commune);
      communeField.hidden = true;
      fill(lookupStatus);
      looked = '';
      wanted = '';
    },
  };
}

/** The profile fields' markup is in each page; this is the French label of an identity status. */
export function statusLabel(status: string): string {
  return (
    {
      verified: 'vérifiée',
      held: 'en attente d’examen par l’équipe de coordination',
      rejected: 'écartée (doublon)',
    }[status] ?? status
  );
}
