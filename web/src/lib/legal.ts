/**
 * The legal pages' content (issue 13), drawn from the edition file's `legal` and `identity`: « Mentions
 * légales », « Données personnelles » (RGPD articles 13 and 14), « Déclaration d’accessibilité » (the RGAA
 * 4.1 model statement) and « Contact ». Each function returns the page's content under its `<h1>`.
 */
import { h } from './dom.ts';
import { formatDay } from './format.ts';
import type { EditionView } from './types.ts';

type Edition = EditionView['edition'];
type Legal = Edition['legal'];

/** The RGAA's own words for the footer mention and the statement. */
export const ACCESSIBILITY_LABELS: Record<Legal['accessibility']['status'], string> = {
  'non-conforme': 'non conforme',
  'partiellement-conforme': 'partiellement conforme',
  'totalement-conforme': 'totalement conforme',
};

const section = (id: string, title: string, ...children: (Node | string | null | false)[]) =>
  h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children);

const address = (text: string) => h('p', { class: 'address' }, text);

const mail = (email: string) => h('a', { href: `mailto:${email}` }, email);

/** A link to another site, opened in the same tab like every other link. */
const outside = (href: string, label: string) => h('a', { href }, label);

export function legalNotice(edition: Edition): Node[] {
  const { publisher, host } = edition.legal;
  return [
    h(
      'p',
      {},
      `Ce site est celui du budget participatif du ${edition.identity.name}. Cette page donne les informations que la loi demande à tout site public (article 6 de la loi n° 2004-575 du 21 juin 2004 pour la confiance dans l’économie numérique).`,
    ),
    section(
      'editeur',
      'Éditeur du site',
      h('p', {}, publisher.name),
      address(publisher.address),
      publisher.phone ? h('p', {}, `Téléphone : ${publisher.phone}`) : null,
    ),
    section('publication', 'Direction de la publication', h('p', {}, publisher.director)),
    section(
      'hebergement',
      'Hébergement',
      h('p', {}, host.name),
      address(host.address),
      host.website ? h('p', {}, outside(host.website, `Site de l’hébergeur (${host.website})`)) : null,
    ),
    section(
      'donnees',
      'Données personnelles et accessibilité',
      h(
        'p',
        {},
        'Ce que nous faisons de vos données et comment exercer vos droits : ',
        h('a', { href: '/donnees-personnelles.html' }, 'Données personnelles'),
        '. L’état d’accessibilité du site : ',
        h('a', { href: '/accessibilite.html' }, 'Déclaration d’accessibilité'),
        '.',
      ),
    ),
  ];
}

export function privacyNotice(edition: Edition): Node[] {
  const { controller, dpo, personalData } = edition.legal;
  return [
    h(
      'p',
      {},
      `Pour organiser le budget participatif, le ${edition.identity.name} traite des données personnelles vous concernant. Cette page dit lesquelles, pourquoi, combien de temps il les garde et comment exercer vos droits.`,
    ),
    section(
      'responsable',
      'Qui est responsable de vos données ?',
      h('p', {}, `${controller.name}, représenté par ${lowerFirst(controller.representative)}.`),
      address(controller.address),
    ),
    section(
      'finalites',
      'Pourquoi ces données ?',
      h('ul', {}, ...personalData.purposes.map((purpose) => h('li', {}, purpose))),
    ),
    section('base-legale', 'Sur quelle base ?', h('p', {}, personalData.legalBasis)),
    section(
      'destinataires',
      'Qui peut les voir ?',
      h('ul', {}, ...personalData.recipients.map((recipient) => h('li', {}, recipient))),
    ),
    section(
      'conservation',
      'Combien de temps sont-elles gardées ?',
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          {},
          h('caption', {}, 'Durée de conservation de chaque donnée'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Données'),
              h('th', { scope: 'col' }, 'Durée de conservation'),
            ),
          ),
          h(
            'tbody',
            {},
            ...personalData.retention.map((row) =>
              h('tr', {}, h('th', { scope: 'row' }, row.data), h('td', {}, row.duration)),
            ),
          ),
        ),
      ),
    ),
    section(
      'droits',
      'Vos droits et comment les exercer',
      h(
        'p',
        {},
        'Vous pouvez demander à consulter vos données, à les corriger, à les effacer, à en limiter l’usage, ou vous opposer à leur traitement (articles 15 à 21 du RGPD).',
      ),
      h(
        'p',
        {},
        'Une fois connecté, la page ',
        h('a', { href: '/mes-donnees.html' }, 'Mes données'),
        ' vous permet de les télécharger ou de les effacer vous-même.',
      ),
      h('p', {}, 'Vous pouvez aussi écrire à : ', mail(personalData.rights.email), '.'),
      personalData.rights.address ? h('p', {}, 'Ou par courrier :') : null,
      personalData.rights.address ? address(personalData.rights.address) : null,
      h('p', {}, 'Nous vous répondons dans un délai d’un mois.'),
    ),
    section(
      'dpo',
      'Délégué à la protection des données',
      h('p', {}, 'Pour toute question sur vos données : ', mail(dpo.email), '.'),
      dpo.address ? address(dpo.address) : null,
    ),
    section(
      'reclamation',
      'Réclamation',
      h(
        'p',
        {},
        'Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de l’informatique et des libertés (CNIL) : ',
        outside('https://www.cnil.fr/fr/adresser-une-plainte', 'adresser une plainte à la CNIL'),
        ', ou par courrier à CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07.',
      ),
    ),
  ];
}

export function accessibilityStatement(edition: Edition, siteUrl: string): Node[] {
  const { accessibility } = edition.legal;
  const status = ACCESSIBILITY_LABELS[accessibility.status];
  const name = edition.identity.name;
  return [
    h(
      'p',
      {},
      `Le ${name} s’engage à rendre ses sites internet accessibles conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.`,
    ),
    h('p', {}, `Cette déclaration d’accessibilité s’applique au site du budget participatif (${siteUrl}).`),
    section(
      'etat',
      'État de conformité',
      h(
        'p',
        {},
        'Ce site est ',
        h('strong', {}, status),
        ' avec le référentiel général d’amélioration de l’accessibilité (RGAA), version 4.1',
        accessibility.status === 'totalement-conforme'
          ? '.'
          : ', en raison des non-conformités listées ci-dessous.',
      ),
    ),
    section(
      'resultats',
      'Résultats des tests',
      h(
        'p',
        {},
        accessibility.audit
          ? `L’audit de conformité réalisé par ${accessibility.audit.by} le ${formatDay(accessibility.audit.date)} révèle que ${String(accessibility.audit.rate).replace('.', ',')} % des critères du RGAA 4.1 sont respectés.`
          : 'Aucun audit de conformité n’a encore été réalisé.',
      ),
    ),
    section(
      'non-accessible',
      'Contenus non accessibles',
      h('h3', {}, 'Non-conformités'),
      accessibility.nonConformities.length > 0
        ? h('ul', {}, ...accessibility.nonConformities.map((item) => h('li', {}, item)))
        : h('p', {}, 'Aucune non-conformité connue.'),
      h('h3', {}, 'Dérogations pour charge disproportionnée'),
      accessibility.derogations.length > 0
        ? h('ul', {}, ...accessibility.derogations.map((item) => h('li', {}, item)))
        : h('p', {}, 'Aucune.'),
    ),
    section(
      'etablissement',
      'Établissement de cette déclaration',
      h('p', {}, `Cette déclaration a été établie le ${formatDay(accessibility.statementDate)}.`),
      h('p', {}, 'Technologies utilisées : HTML, CSS, JavaScript, WAI-ARIA.'),
      h('p', {}, 'Pages du site ayant fait l’objet de la vérification de conformité :'),
      h(
        'ul',
        {},
        ...accessibility.testedPages.map((page) => h('li', {}, h('a', { href: page.path }, page.title))),
      ),
    ),
    section(
      'retour',
      'Retour d’information et contact',
      h(
        'p',
        {},
        'Si vous n’arrivez pas à accéder à un contenu ou à un service, vous pouvez nous le signaler pour être orienté vers une solution accessible ou obtenir le contenu sous une autre forme : ',
        mail(accessibility.contact.email),
        '.',
      ),
      accessibility.contact.address ? h('p', {}, 'Ou par courrier :') : null,
      accessibility.contact.address ? address(accessibility.contact.address) : null,
    ),
    section(
      'recours',
      'Voies de recours',
      h(
        'p',
        {},
        'Si vous nous avez signalé un défaut d’accessibilité qui vous empêche d’accéder à un contenu ou à un service et que vous n’avez pas obtenu de réponse satisfaisante, vous pouvez saisir le Défenseur des droits :',
      ),
      h(
        'ul',
        {},
        h(
          'li',
          {},
          outside('https://formulaire.defenseurdesdroits.fr/', 'écrire un message au Défenseur des droits'),
        ),
        h(
          'li',
          {},
          outside(
            'https://www.defenseurdesdroits.fr/carte-des-delegues',
            'contacter le délégué du Défenseur des droits de votre région',
          ),
        ),
        h(
          'li',
          {},
          'envoyer un courrier (gratuit, sans timbre) à : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.',
        ),
      ),
    ),
  ];
}

export function contactPage(edition: Edition): Node[] {
  const { contact, dpo, accessibility } = edition.legal;
  return [
    h('p', {}, `Une question sur le budget participatif du ${edition.identity.name} ? Écrivez-nous.`),
    section(
      'ecrire',
      'Nous écrire',
      h('p', {}, 'Par courriel : ', mail(contact.email), '.'),
      h('p', {}, 'Par courrier :'),
      address(contact.address),
    ),
    contact.phone
      ? section(
          'telephone',
          'Nous appeler',
          h('p', {}, contact.phone),
          contact.hours ? h('p', {}, contact.hours) : null,
        )
      : null,
    section(
      'autres',
      'Autres questions',
      h(
        'ul',
        {},
        h('li', {}, 'Vos données personnelles : ', mail(dpo.email), '.'),
        h('li', {}, 'Un problème d’accessibilité sur ce site : ', mail(accessibility.contact.email), '.'),
      ),
    ),
  ].filter((node): node is HTMLElement => node !== null);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
