import * as z from 'zod/mini';

/** Staff roles map one-to-one to Cognito groups; `citizen` comes from the identity context's own tokens. */
export const STAFF_ROLES = [
  'moderator',
  'instructor',
  'coordinator',
  'committee',
  'elected',
  'admin',
  'ops',
] as const;
export const ROLES = ['citizen', ...STAFF_ROLES] as const;

export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

/** French labels shown in the back-office. */
export const ROLE_LABELS: Record<Role, string> = {
  citizen: 'Habitant·e vérifié·e',
  moderator: 'Modération',
  instructor: 'Agent instructeur',
  coordinator: 'Coordination (Participation citoyenne)',
  committee: 'Comité citoyen',
  elected: 'Élu·e',
  admin: 'Administration de l’édition',
  ops: 'Exploitation',
};
