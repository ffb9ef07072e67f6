/**
 * Every `bp` command: what the help shows, and how to load its code. The code is imported only when the command
 * runs, so `bp --help` and `bp count` never load the edition schema, zod or the email templates they do not use
 * (each is its own chunk in the built CLI, `dist/bp.mjs`).
 */
import type { Command, CommandInfo } from './command.ts';

export const EDITION_VALIDATE: CommandInfo = {
  path: ['edition', 'validate'],
  args: '<fichier.json>...',
  summary: 'Vérifie des fichiers d’édition (schéma, dates, enveloppes, communes du département)',
};
export const EDITION_SHOW: CommandInfo = {
  path: ['edition', 'show'],
  args: '<fichier.json>',
  summary: 'Résume une édition : territoires et enveloppes, calendrier des phases, règles',
};
export const COUNT: CommandInfo = {
  path: ['count'],
  args: '<fichier.pb>... --rule <règle> [--json] [--tie-break ...] [--minimum-support ...] [--ignore-product-rules] | --check <dossier>',
  summary: 'Dépouille des fichiers pabulib (.pb) et explique le sort de chaque projet',
};
export const EMAIL_LIST: CommandInfo = {
  path: ['email', 'list'],
  args: '',
  summary: 'liste les modèles de courriel',
};
export const EMAIL_PREVIEW: CommandInfo = {
  path: ['email', 'preview'],
  args: '<modèle> [--html|--text] [--edition <fichier>]',
  summary: 'affiche un courriel rendu avec des données d’exemple (texte par défaut)',
};

export const DEPLOY_VALIDATE: CommandInfo = {
  path: ['deploy', 'validate'],
  args: '<deploy/<édition>.<env>.json>...',
  summary: 'Vérifie des fichiers de déploiement (compte, région, alarmes, domaine, SES) et leur édition',
};
export const PREFLIGHT: CommandInfo = {
  path: ['preflight'],
  args: '--deploy <édition>.<environnement>',
  summary: 'Vérifie un compte AWS avant le premier déploiement et dit comment corriger chaque point',
};
export const STAFF_LIST: CommandInfo = {
  path: ['staff', 'list'],
  args: '--deploy <édition>.<env>',
  summary: 'Liste les comptes agents (rôles, service, actif ou désactivé)',
};
export const STAFF_ADD: CommandInfo = {
  path: ['staff', 'add'],
  args: '<courriel> --role <rôle>... [--service <id>] --deploy <édition>.<env>',
  summary: 'Crée un compte agent (invitation par courriel) avec ses rôles et son service',
};
export const STAFF_DISABLE: CommandInfo = {
  path: ['staff', 'disable'],
  args: '<courriel> --deploy <édition>.<env>',
  summary: 'Désactive un compte agent (ses jetons sont révoqués)',
};
export const STAFF_RESET_MFA: CommandInfo = {
  path: ['staff', 'reset-mfa'],
  args: '<courriel> --deploy <édition>.<env>',
  summary:
    'Retire l’application d’authentification d’un agent (il en configure une à sa prochaine connexion)',
};
export const DLQ_LIST: CommandInfo = {
  path: ['dlq', 'list'],
  args: '--deploy <édition>.<env> | --local <bus>',
  summary: 'Liste les messages en échec (files de lettres mortes) de l’édition',
};
export const DLQ_REDRIVE: CommandInfo = {
  path: ['dlq', 'redrive'],
  args: '--deploy <édition>.<env> | --local <bus> [--dry-run]',
  summary: 'Renvoie les lettres mortes à leur fonction ou à leur bus, puis les retire de la file',
};
export const EXPORT: CommandInfo = {
  path: ['export'],
  args: '--deploy <édition>.<env> [--at <date>]',
  summary:
    'Archive l’édition : export de la table à un instant, données ouvertes et images dans le bucket d’archive',
};
export const REHEARSE: CommandInfo = {
  path: ['rehearse'],
  args: '--url <site> [--voters N] [--ideas M] [--concurrency C] [--seed S] [--projects-per-envelope P] [...]',
  summary:
    'Répétition générale : une édition entière par l’API (idées, instruction, vote, dépouillement, suivi), invariants vérifiés',
};

export interface CatalogEntry extends CommandInfo {
  load(): Promise<Command>;
}

export const COMMANDS: readonly CatalogEntry[] = [
  { ...EDITION_VALIDATE, load: async () => (await import('./edition-validate.ts')).editionValidate },
  { ...EDITION_SHOW, load: async () => (await import('./edition-show.ts')).editionShow },
  { ...COUNT, load: async () => (await import('./count.ts')).count },
  { ...EMAIL_LIST, load: async () => (await import('./email.ts')).emailList },
  { ...EMAIL_PREVIEW, load: async () => (await import('./email.ts')).emailPreview },
  { ...DEPLOY_VALIDATE, load: async () => (await import('./deploy-validate.ts')).deployValidate },
  { ...PREFLIGHT, load: async () => (await import('./preflight.ts')).preflight },
  { ...STAFF_LIST, load: async () => (await import('./staff.ts')).staffList },
  { ...STAFF_ADD, load: async () => (await import('./staff.ts')).staffAdd },
  { ...STAFF_DISABLE, load: async () => (await import('./staff.ts')).staffDisable },
  { ...STAFF_RESET_MFA, load: async () => (await import('./staff.ts')).staffResetMfa },
  { ...DLQ_LIST, load: async () => (await import('./dlq.ts')).dlqList },
  { ...DLQ_REDRIVE, load: async () => (await import('./dlq.ts')).dlqRedrive },
  { ...EXPORT, load: async () => (await import('./export.ts')).exportEdition },
  { ...REHEARSE, load: async () => (await import('./rehearse.ts')).rehearseCommand },
];
