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
  { ...REHEARSE, load: async () => (await import('./rehearse.ts')).rehearseCommand },
];
