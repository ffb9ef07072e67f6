import { afterEach, describe, expect, it, vi } from 'vitest';
import { powertoolsBusinessMetrics } from '../../shared/metrics/business-metrics.ts';

/** What Powertools printed on stdout while `run` ran, as parsed EMF documents. */
function captureEmf(run: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('business metrics (Powertools Metrics, EMF on stdout)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('prints one EMF document per count, with the dashboard’s namespace, name and dimensions', () => {
    // Prepare: as in Lambda (the local runtime disables them).
    delete process.env.POWERTOOLS_METRICS_DISABLED;
    delete process.env.POWERTOOLS_DEV;
    const metrics = powertoolsBusinessMetrics('loire-2027');
    // Act
    const documents = captureEmf(() => {
      metrics.count('codesSent');
      metrics.count('ballotsCast');
      metrics.count('ballotsCast');
      metrics.count('ideasSubmitted', 2);
    });
    // Assess
    expect(documents).toHaveLength(4);
    const [code, ballot, , ideas] = documents;
    expect(code).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: 'BudgetParticipatif',
            Dimensions: [['service', 'edition']],
            Metrics: [{ Name: 'CodesSent', Unit: 'Count' }],
          },
        ],
      },
      service: 'identity',
      edition: 'loire-2027',
      CodesSent: 1,
    });
    expect(ballot).toMatchObject({ service: 'voting', edition: 'loire-2027', BallotsCast: 1 });
    expect(ideas).toMatchObject({ service: 'ideas', IdeasSubmitted: 2 });
    // One metric per document: a count never carries another's value.
    expect(ballot).not.toHaveProperty('CodesSent');
  });

  it('prints nothing where the runtime disables them (the local stack)', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const metrics = powertoolsBusinessMetrics('loire-2027');
    expect(captureEmf(() => metrics.count('codesSent'))).toEqual([]);
  });
});
