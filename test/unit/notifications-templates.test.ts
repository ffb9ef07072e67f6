import { describe, expect, it } from 'vitest';
import { actionLinkExpiry, signedEmailLinks } from '../../functions/notifications/email-links.ts';
import {
  decisionVerdictEmail,
  ideaAssignedEmail,
  instructionDigestEmail,
} from '../../functions/notifications/templates/instruction-emails.ts';
import { phaseChangedEmail } from '../../functions/notifications/templates/phase-changed.ts';
import {
  EMAIL_SAMPLES,
  EMAIL_TEMPLATE_NAMES,
  PREVIEW_LINK_KEY,
} from '../../functions/notifications/templates/samples.ts';
import { verifyActionLink } from '../../shared/auth/action-links.ts';
import { verifyUnsubscribeLink } from '../../shared/auth/unsubscribe-links.ts';
import { readEditionFile } from '../../shared/edition/load-edition.ts';
import { compileLayout } from '../../shared/email/generate-layout.ts';
import { LAYOUT_BLOCKS, LAYOUT_BRAND, LAYOUT_SHELL } from '../../shared/email/layout.generated.ts';
import { brandEmailHtml, htmlLayout, renderEmail, splitActionLink, text } from '../../shared/email/layout.ts';

const parsed = await readEditionFile('editions/loire-atlantique-demo.json');
if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
const config = parsed.config;
const KEY = 'unit-test-action-link-key';
const NOW = new Date('2023-10-02T07:00:00Z');
const SITE = 'https://bp.example.org';
const contactEmail = config.services[0]?.contacts[0]?.email ?? '';
const serviceId = config.services[0]?.id ?? '';
const EMAIL_ADDRESS = /[\w.+-]+@[\w-]+\.[\w.-]+/;

const idea = {
  ideaId: 'idee-1',
  title: 'Des <script>alert(1)</script> bancs « publics »',
  description: 'Des bancs & des arbres <b>partout</b>.',
  territory: config.territories[0]?.id ?? '',
  theme: config.themes[0]?.id ?? '',
};

const links = signedEmailLinks({ key: async () => KEY, edition: config.id, siteUrl: SITE, now: () => NOW });

function tokensIn(body: string): string[] {
  return [...body.matchAll(/lien\.html\?t=([\w.-]+)/g)].map((match) => match[1] ?? '');
}

describe('the compiled email layout', () => {
  it('is generated from layout.mjml by the current mjml (run `npm run gen:emails` otherwise)', async () => {
    // Act
    const expected = await compileLayout();

    // Assess
    expect(LAYOUT_SHELL).toBe(expected.shell);
    expect(LAYOUT_BLOCKS).toEqual(expected.blocks);
    expect(LAYOUT_BRAND).toEqual(expected.brand);
    expect(LAYOUT_SHELL).not.toContain('fonts.googleapis.com');
  });

  it('turns each action link of a paragraph into a real button, the plain-text part unchanged', () => {
    const paragraphs = [
      'Bonjour,',
      'Suivre mes idées : https://bp.exemple.fr/mes-idees.html',
      'Gardez ce code. Il vous permet de vérifier votre bulletin : https://bp.exemple.fr/recu.html (saisissez le code sur la page).',
      'Les découvrir : https://bp.exemple.fr/resultats.html#projet-p2.',
    ];
    const site = 'https://bp.exemple.fr';
    expect(paragraphs.slice(1).map((p) => splitActionLink(p, site))).toEqual([
      { label: 'Suivre mes idées', href: 'https://bp.exemple.fr/mes-idees.html' },
      {
        text: 'Gardez ce code. Il vous permet de vérifier votre bulletin (saisissez le code sur la page).',
        label: 'Vérifier mon reçu',
        href: 'https://bp.exemple.fr/recu.html',
      },
      { label: 'Les découvrir', href: 'https://bp.exemple.fr/resultats.html#projet-p2' },
    ]);
    expect(splitActionLink('Bonjour,', site)).toBeUndefined();
    // An address elsewhere (typed into an idea's title, say) stays text: no button to another site.
    expect(
      splitActionLink('Votre idée « Voir : https://ailleurs.example/recu.html » est publiée', site),
    ).toBeUndefined();
    expect(splitActionLink('Voir : https://bp.exemple.fr.ailleurs.example/recu.html', site)).toBeUndefined();

    const { html, text: plain } = renderEmail({
      title: 'T',
      blocks: paragraphs.map(text),
      footer: 'F',
      siteUrl: site,
    });
    // mjml's button: a link styled as one, inside its table cell.
    expect(html).toMatch(
      /<a\s+href="https:\/\/bp\.exemple\.fr\/mes-idees\.html"[^>]*>\s*Suivre mes idées\s*<\/a>/,
    );
    expect(html).toMatch(
      /<a\s+href="https:\/\/bp\.exemple\.fr\/recu\.html"[^>]*>\s*Vérifier mon reçu\s*<\/a>/,
    );
    expect(html).not.toContain('>https://');
    expect(plain).toBe(`${paragraphs.join('\n\n')}\n\n--\nF\n`);
  });

  it('puts the Département’s name and logo in the header, once, whatever the text of the email holds', () => {
    const plain = renderEmail({
      title: 'T',
      blocks: [text('<!--bp:brand--> {{name}} injected')],
      footer: 'F',
    }).html;
    expect(plain).toContain('Budget participatif');
    expect(plain).not.toContain('<img');

    const html = brandEmailHtml(plain, {
      name: 'Département de Loire-Atlantique <b>',
      logoUrl: 'https://bp.exemple.fr/edition-logo.png',
    });

    expect(html).toContain('Département de Loire-Atlantique &#60;b&#62;');
    expect(html).toMatch(/<img[^>]*src="https:\/\/bp\.exemple\.fr\/edition-logo\.png"/);
    expect(html).toContain('&#60;!--bp:brand--&#62; {{name}} injected');
    expect(html.match(/<img/g)).toHaveLength(1);
  });

  it('escapes every value and fills each placeholder once', () => {
    // Act
    const { html, text: plain } = renderEmail({
      title: 'Titre <i>{{footer}}</i>',
      blocks: [text('a < b & "c" {{title}}')],
      footer: 'pied',
    });

    // Assess
    expect(html).toContain('Titre &#60;i&#62;{{footer}}&#60;/i&#62;');
    expect(html).toContain('a &#60; b &#38; &#34;c&#34; {{title}}');
    expect(html).toContain('lang="fr"');
    expect(plain).toBe('a < b & "c" {{title}}\n\n--\npied\n');
  });

  it('keeps the paragraphs API of the older templates', () => {
    // Act
    const html = htmlLayout({ title: 'T', paragraphs: ['<script>x</script>'], footer: 'F' });

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;x&#60;/script&#62;');
  });
});

describe('instruction emails', () => {
  it('gives each contact three signed links bound to them, expiring at most a week after the due date', async () => {
    // Prepare
    const dueDate = '2023-10-06';
    const email = ideaAssignedEmail({
      to: contactEmail,
      config,
      serviceId,
      idea,
      dueDate,
      links: await links.assignment({
        assignmentId: 'asg-1',
        ideaId: idea.ideaId,
        recipientEmail: contactEmail,
        dueDate,
        timeZone: config.timeZone,
      }),
    });
    const tokens = tokensIn(email.text);

    // Act
    const checks = await Promise.all(
      tokens.map((token) =>
        verifyActionLink(KEY, token, {
          edition: config.id,
          callerEmail: contactEmail.toUpperCase(),
          now: NOW,
        }),
      ),
    );
    const other = await verifyActionLink(KEY, tokens[0] ?? '', {
      edition: config.id,
      callerEmail: 'someone-else@example.org',
      now: NOW,
    });

    // Assess
    expect(tokens).toHaveLength(3);
    expect(tokensIn(email.html)).toEqual(tokens);
    expect(checks.map((check) => (check.ok ? check.claims.action : check.reason))).toEqual([
      'open',
      'accept',
      'reassign',
    ]);
    for (const check of checks) {
      if (!check.ok) continue;
      expect(check.claims).toMatchObject({ assignmentId: 'asg-1', ideaId: 'idee-1' });
      expect(check.claims.expiresAt.getTime()).toBeLessThanOrEqual(Date.parse('2023-10-13T22:00:00Z'));
    }
    expect(new Set(checks.map((check) => check.ok && check.claims.jti)).size).toBe(3);
    expect(other).toEqual({ ok: false, reason: 'other-recipient' });
  });

  it('expires action links after 14 days, or a week after the due date if sooner', () => {
    expect(actionLinkExpiry(NOW, '2024-01-31', 'Europe/Paris').toISOString()).toBe(
      '2023-10-16T07:00:00.000Z',
    );
    expect(actionLinkExpiry(NOW, '2023-10-03', 'Europe/Paris').toISOString()).toBe(
      '2023-10-10T21:59:00.000Z',
    );
  });

  it('shows instructors the idea, escaped, and nothing about its authors', async () => {
    // Act
    const email = ideaAssignedEmail({
      to: contactEmail,
      config,
      serviceId,
      idea,
      dueDate: '2023-10-06',
      links: { open: `${SITE}/o`, accept: `${SITE}/a`, reassign: `${SITE}/r` },
    });

    // Assess
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(email.html).toContain('&#60;b&#62;partout&#60;/b&#62;');
    expect(email.text).toContain(idea.title);
    expect(email.text).toContain(config.territories[0]?.name ?? '?');
    expect(email.text).toContain(config.themes[0]?.name ?? '?');
    expect(email.text).toContain('vendredi 6 octobre 2023');
    expect(`${email.subject}${email.text}${email.html}`).not.toMatch(EMAIL_ADDRESS);
    expect(email.headers).toBeUndefined();
  });

  it('tells an author in plain French what was decided, why and what comes next, with no unsubscribe link', () => {
    // Act
    const email = decisionVerdictEmail({
      to: 'author@example.org',
      config,
      siteUrl: SITE,
      ideaId: 'idee-1',
      title: 'Des bancs',
      outcome: 'not-admissible',
      reasonLabel: 'Hors compétence du Département',
      reasonText: 'Les bancs des places relèvent de la commune.',
      costEstimate: undefined,
    });

    // Assess
    expect(email.subject).toBe('[Budget participatif] Votre idée n’est pas recevable');
    expect(email.text).toContain('Votre idée « Des bancs » n’est pas recevable.');
    expect(email.text).toContain(
      'Pourquoi : Hors compétence du Département. Les bancs des places relèvent de la commune.',
    );
    expect(email.text).toContain('ne sera donc pas soumise au vote');
    expect(email.text).not.toMatch(/désabonner/i);
    expect(email.headers).toBeUndefined();
  });

  it('puts a verifiable unsubscribe link and the List-Unsubscribe headers on the digest', async () => {
    // Prepare
    const to = config.staff.coordinators[0]?.email ?? '';
    const email = instructionDigestEmail({
      to,
      config,
      digestDate: '2023-10-16',
      counts: [{ serviceId, status: 'assigned', count: 2 }],
      overdue: [{ ideaId: 'idee-1', title: 'Des bancs', serviceId, dueDate: '2023-10-13' }],
      overdueCount: 1,
      siteUrl: SITE,
      unsubscribe: await links.unsubscribe(to, 'digests'),
    });
    const token = /desabonnement\.html\?t=([\w.-]+)/.exec(email.text)?.[1] ?? '';

    // Act
    const check = await verifyUnsubscribeLink(KEY, token, { edition: config.id, now: NOW });
    const tampered = await verifyUnsubscribeLink(KEY, `${token.slice(0, -2)}xx`, {
      edition: config.id,
      now: NOW,
    });
    const asActionLink = await verifyActionLink(KEY, token, {
      edition: config.id,
      callerEmail: to,
      now: NOW,
    });

    // Assess
    expect(check).toMatchObject({ ok: true, list: 'digests' });
    expect(tampered).toEqual({ ok: false, reason: 'invalid' });
    expect(asActionLink).toEqual({ ok: false, reason: 'invalid' });
    expect(email.headers).toEqual([
      {
        name: 'List-Unsubscribe',
        value: expect.stringMatching(/^<https:\/\/bp\.example\.org\/api\/editions\/.+\/unsubscribe\?token=/),
      },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(email.html).toContain('desabonnement.html?t=');
    expect(email.text).toContain('En retard (1)');
  });

  it('keeps the phase-change email as it read, plus its unsubscribe link', async () => {
    // Act
    const email = phaseChangedEmail({
      to: 'c@example.org',
      config,
      from: 'ideas',
      phase: 'instruction',
      changedAt: NOW,
      byStaff: true,
      reason: 'Avancée à la demande du comité',
      siteUrl: SITE,
      unsubscribe: await links.unsubscribe('c@example.org', 'announcements'),
    });

    // Assess
    expect(email.subject).toMatch(/^\[Budget participatif\] La phase « .+ » commence$/);
    expect(email.text).toContain('Raison indiquée : Avancée à la demande du comité.');
    expect(email.text).toContain(`Espace des équipes : ${SITE}/staff/`);
    expect(email.text).toContain('Se désabonner de ces messages : ');
  });
});

describe('the preview of every template', () => {
  it.each(EMAIL_TEMPLATE_NAMES)('renders %s in French, as HTML and text', async (name) => {
    // Act
    const email = await EMAIL_SAMPLES[name]?.(config);

    // Assess
    expect(email?.subject).toMatch(/^\[Budget participatif\] /);
    expect(email?.html).toContain('<html lang="fr"');
    expect(email?.text).toMatch(/^Bonjour,/);
    expect(email?.text).not.toContain('undefined');
  });

  it('signs preview links with the preview key only', async () => {
    // Act
    const email = await EMAIL_SAMPLES['idea-assigned']?.(config);
    const token = tokensIn(email?.text ?? '')[0] ?? '';

    // Assess
    expect(
      await verifyActionLink(PREVIEW_LINK_KEY, token, {
        edition: 'preview',
        callerEmail: email?.to,
        now: NOW,
      }),
    ).toMatchObject({ ok: true });
  });
});
