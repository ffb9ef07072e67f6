/**
 * Business metrics of an edition (codes sent, ideas submitted, ballots cast) as CloudWatch custom metrics, through
 * Powertools Metrics: each count is printed on stdout in the embedded metric format (EMF), which CloudWatch Logs
 * turns into a metric; no API call, nothing in the request's path but a log line. The edition's dashboard
 * (lib/constructs/edition-monitoring.ts) plots them per minute with the same namespace, names and dimensions.
 * Locally the runtime sets `POWERTOOLS_METRICS_DISABLED` (local/stack.ts): no EMF lines in the console.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'BudgetParticipatif';

/** Each metric with the function (Powertools `service` dimension) that emits it. */
export const BUSINESS_METRICS = {
  codesSent: { name: 'CodesSent', service: 'identity' },
  ideasSubmitted: { name: 'IdeasSubmitted', service: 'ideas' },
  ballotsCast: { name: 'BallotsCast', service: 'voting' },
} as const;
export type BusinessMetric = keyof typeof BUSINESS_METRICS;

/** Port: counts a business event (handlers get it as a dependency; tests pass a recorder). */
export interface BusinessMetrics {
  count(metric: BusinessMetric, value?: number): void;
}

/**
 * Counts with Powertools Metrics, dimensions `service` (the metric's function) and `edition`, flushed at once: a
 * handler that throws afterwards does not lose the count, and a cold start adds nothing.
 */
export function powertoolsBusinessMetrics(edition: string): BusinessMetrics {
  const byService = new Map<string, Metrics>();
  const metricsFor = (service: string) => {
    let metrics = byService.get(service);
    if (!metrics) {
      metrics = new Metrics({
        namespace: METRICS_NAMESPACE,
        serviceName: service,
        defaultDimensions: { edition },
      });
      byService.set(service, metrics);
    }
    return metrics;
  };
  return {
    count(metric, value = 1) {
      const { name, service } = BUSINESS_METRICS[metric];
      const metrics = metricsFor(service);
      metrics.addMetric(name, MetricUnit.Count, value);
      metrics.publishStoredMetrics();
    },
  };
}
