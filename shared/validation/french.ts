import * as z from 'zod/mini';
// The one locale, imported alone: `z.locales.fr()` would pull every locale (~250 kB) into each bundle.
import fr from 'zod/v4/locales/fr.js';

/**
 * Messages for people are French everywhere: zod's own French locale, set once for the process.
 * Imported for its side effect by every boundary that parses input (HTTP, config files).
 */
z.config(fr());

export interface FieldError {
  /** Dotted path of the offending field, `body.title`, `query.page`, `calendar.voteOpen`. */
  field: string;
  message: string;
}

export function fieldErrors(error: z.core.$ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter((part) => part !== undefined && part !== '').join('.'),
    message: issue.message,
  }));
}
