import { brandEmailHtml, type EmailBrand } from './layout.ts';
import type { Mailer } from './mailer.ts';

/**
 * A mailer that gives every email the Département's header (name and logo) before sending it, so that every
 * template, whichever function renders it, comes from the Département without knowing its name. When the
 * brand cannot be read, the email still leaves, with the plain « Budget participatif » header: an email is
 * never held back for its header.
 */
export function brandedMailer(inner: Mailer, brand: () => Promise<EmailBrand>): Mailer {
  return {
    async send(email) {
      const resolved = await brand().catch(() => undefined);
      return inner.send(resolved ? { ...email, html: brandEmailHtml(email.html, resolved) } : email);
    },
  };
}

/**
 * The brand of an edition's emails: the Département's display name (`identity.name` of the edition file) and
 * the PNG of its logo on the site (`/edition-logo.png`, rendered from the edition's SVG when the site is
 * published: shared/email/logo-png.ts).
 */
export function editionBrand(
  editions: { get(): Promise<{ identity: { name: string } }> },
  siteUrl: string,
): () => Promise<EmailBrand> {
  const base = siteUrl.replace(/\/$/, '');
  return async () => ({ name: (await editions.get()).identity.name, logoUrl: `${base}/edition-logo.png` });
}
