/** Per-phase figures of a rehearsal: requests, throughput, p50/p99 latency, errors. */

export interface Sample {
  ms: number;
  ok: boolean;
}

export interface PhaseFigures {
  phase: string;
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Attempts answered 503/429 (or cut) and sent again, as the site does. */
  retries: number;
  /** Sum of the latencies, in ms. */
  totalMs: number;
  /** The first few unexpected answers, to say what failed. */
  errorSamples: string[];
}

/** The value at quantile `q` (0..1) of sorted numbers, nearest rank; 0 when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export class Metrics {
  private readonly phases = new Map<
    string,
    {
      samples: number[];
      errors: number;
      retries: number;
      errorSamples: string[];
      startedAt: number;
      endedAt: number;
    }
  >();
  private current = 'setup';

  /** Starts timing `phase`; the requests recorded from now on belong to it. */
  begin(phase: string): void {
    this.current = phase;
    const now = performance.now();
    const existing = this.phases.get(phase);
    if (existing) existing.endedAt = now;
    else
      this.phases.set(phase, {
        samples: [],
        errors: 0,
        retries: 0,
        errorSamples: [],
        startedAt: now,
        endedAt: now,
      });
  }

  record(ms: number, error?: string): void {
    const phase = this.phases.get(this.current);
    if (!phase) {
      this.begin(this.current);
      this.record(ms, error);
      return;
    }
    phase.samples.push(ms);
    phase.endedAt = performance.now();
    if (error !== undefined) {
      phase.errors += 1;
      if (phase.errorSamples.length < 5) phase.errorSamples.push(error);
    }
  }

  /** An attempt that will be sent again (a 503, a 429, a cut connection): timed, counted apart. */
  retried(ms: number): void {
    this.record(ms);
    const phase = this.phases.get(this.current);
    if (phase) phase.retries += 1;
  }

  /** Ends the current phase's clock (its throughput counts its whole wall time, waits included). */
  end(): void {
    const phase = this.phases.get(this.current);
    if (phase) phase.endedAt = performance.now();
  }

  figures(): PhaseFigures[] {
    return [...this.phases].map(([name, phase]) => {
      const sorted = [...phase.samples].sort((a, b) => a - b);
      const seconds = Math.max(0.001, (phase.endedAt - phase.startedAt) / 1000);
      return {
        phase: name,
        requests: sorted.length,
        errors: phase.errors,
        retries: phase.retries,
        seconds,
        perSecond: sorted.length / seconds,
        p50: quantile(sorted, 0.5),
        p99: quantile(sorted, 0.99),
        totalMs: sorted.reduce((sum, ms) => sum + ms, 0),
        errorSamples: phase.errorSamples,
      };
    });
  }

  get totalRequests(): number {
    let total = 0;
    for (const phase of this.phases.values()) total += phase.samples.length;
    return total;
  }
}
