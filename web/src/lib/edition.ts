import { apiRequest } from './api.ts';
import { loadConfig } from './config.ts';
import type { EditionView } from './types.ts';

let pending: Promise<EditionView> | undefined;

/**
 * The public view of the edition (`GET /api/editions/{id}`), asked once per page whichever modules need
 * it (navigation, header and footer, the page itself). A failure is not kept: the next call asks again.
 */
export function loadEdition(): Promise<EditionView> {
  pending ??= loadConfig()
    .then((config) => apiRequest<EditionView>(config, `/editions/${encodeURIComponent(config.edition)}`))
    .catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
  return pending;
}
