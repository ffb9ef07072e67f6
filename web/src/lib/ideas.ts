import type { SiteConfig } from './config.ts';
import { h } from './dom.ts';
import { formatEuros } from './format.ts';
import { COMMUNES, IDEA_STATUS_LABELS, PROPOSER_LABELS } from './shared-data.ts';
import type { EditionView } from './types.ts';

type Edition = EditionView['edition'];

/** An idea as the ideas API shows it (public view; authors and staff also get the status label and moderation). */
export interface IdeaView {
  id: string;
  status: string;
  title: string;
  description: string;
  theme: string;
  territory: string;
  commune?: string;
  estimatedCost: number;
  proposer: { kind: keyof typeof PROPOSER_LABELS; name?: string };
  /** Where in the commune, in words. */
  place?: string;
  location?: { lat: number; lng: number };
  submittedAt: string;
  publishedAt?: string;
  authorsCount: number;
  mergedFrom: string[];
  mergedInto?: string;
  statusLabel?: string;
  updatedAt?: string;
  isAuthor?: boolean;
  moderation?: { action: string; at: string; reason?: string; rule?: string };
}

/** `GET .../ideas-window`. */
export interface IdeasWindow {
  opensAt: string;
  closesAt: string;
  extended: boolean;
  open: boolean;
}

export const editionPath = (config: SiteConfig) => `/editions/${encodeURIComponent(config.edition)}`;

export function communeName(code: string | undefined): string {
  if (!code) return '';
  return COMMUNES[code]?.[0] ?? code;
}

/** Territories and the Département-wide envelope, in the order a person would pick them. */
export function envelopes(edition: Edition): { id: string; name: string; communes: string[] }[] {
  const list = edition.territories.map(({ id, name, communes }) => ({ id, name, communes: [...communes] }));
  const wide = edition.budget.departementWide;
  return wide ? [...list, { id: wide.id, name: wide.name, communes: [] }] : list;
}

/** The communes of a territory sorted by name (every commune of the edition for the Département-wide one). */
export function communesOf(edition: Edition, territory: string): { code: string; name: string }[] {
  const found = edition.territories.find((item) => item.id === territory);
  const codes = found ? found.communes : edition.territories.flatMap((item) => item.communes);
  return codes
    .map((code) => ({ code, name: communeName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export function territoryName(edition: Edition, id: string): string {
  return envelopes(edition).find((item) => item.id === id)?.name ?? id;
}

export function themeName(edition: Edition, id: string): string {
  return edition.themes.find((theme) => theme.id === id)?.name ?? id;
}

export function statusName(idea: Pick<IdeaView, 'status' | 'statusLabel'>): string {
  return (
    idea.statusLabel ?? IDEA_STATUS_LABELS[idea.status as keyof typeof IDEA_STATUS_LABELS] ?? idea.status
  );
}

export function proposerText(proposer: IdeaView['proposer']): string {
  const label = PROPOSER_LABELS[proposer.kind] ?? proposer.kind;
  return proposer.name ? `${label} « ${proposer.name} »` : label;
}

/** The facts of an idea as a description list (territory, commune, theme, cost, who proposes). */
export function ideaFacts(edition: Edition, idea: IdeaView): HTMLElement {
  const rows: [string, string][] = [
    ['Territoire', territoryName(edition, idea.territory)],
    ...(idea.commune ? [['Commune', communeName(idea.commune)] as [string, string]] : []),
    ...(idea.place ? [['Lieu', idea.place] as [string, string]] : []),
    ['Thème', themeName(edition, idea.theme)],
    ['Coût estimé', formatEuros(idea.estimatedCost)],
    ['Proposée', proposerText(idea.proposer)],
  ];
  return h(
    'dl',
    { class: 'data-list' },
    ...rows.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}
