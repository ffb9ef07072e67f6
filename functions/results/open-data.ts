import { toCsv } from '../../shared/csv/csv-cell.ts';
import type { VoteSnapshot } from '../../shared/voting/frozen-snapshot.ts';
import { sha256 } from './count-envelope.ts';
import type { EnvelopeResult, PublicResults } from './results-model.ts';

export const ballotsFileName = (envelope: string) => `ballots-${envelope}.pb`;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * The open data of a computation, file name → content. Deterministic: the same snapshot and ballots give
 * the same bytes (no computation time inside), so the hashes of `manifest.json` are stable.
 */
export function buildOpenData(
  snapshot: VoteSnapshot,
  results: Omit<PublicResults, 'files'>,
  ballotFiles: ReadonlyMap<string, string>,
): { files: Map<string, string>; manifest: PublicResults['files'] } {
  const envelopeName = new Map(snapshot.envelopes.map((e) => [e.id, e.name]));
  const files = new Map<string, string>();
  files.set(
    'projects.csv',
    toCsv(
      ['envelope', 'envelope_name', 'project_id', 'title', 'summary', 'theme', 'cost_eur'],
      snapshot.projects.map((p) => [
        p.envelope,
        envelopeName.get(p.envelope),
        p.id,
        p.title,
        p.summary,
        p.theme,
        p.cost,
      ]),
    ),
  );
  files.set(
    'projects.json',
    json({ edition: results.edition, snapshotHash: results.snapshotHash, projects: snapshot.projects }),
  );
  const rows = results.envelopes.flatMap((envelope: EnvelopeResult) =>
    envelope.projects.map((p) => [
      envelope.id,
      envelope.name,
      p.id,
      p.title,
      p.cost,
      p.support,
      p.selected ? 'oui' : 'non',
      p.rank,
      p.status,
      p.explanation,
    ]),
  );
  files.set(
    'results.csv',
    toCsv(
      [
        'envelope',
        'envelope_name',
        'project_id',
        'title',
        'cost_eur',
        'support',
        'selected',
        'selection_rank',
        'status',
        'explanation',
      ],
      rows,
    ),
  );
  files.set('results.json', json(results));
  for (const [envelope, text] of ballotFiles) files.set(ballotsFileName(envelope), text);
  const manifest = [...files].map(([name, text]) => ({
    name,
    sha256: sha256(text),
    bytes: Buffer.byteLength(text, 'utf8'),
  }));
  files.set(
    'manifest.json',
    json({
      edition: results.edition,
      resultsId: results.resultsId,
      snapshotHash: results.snapshotHash,
      counting: results.counting,
      recount:
        'npx bp count ballots-<enveloppe>.pb --rule <règle> --json redonne les lauréats publiés de chaque enveloppe',
      files: manifest,
    }),
  );
  return { files, manifest };
}
