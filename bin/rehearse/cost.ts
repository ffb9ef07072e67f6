/**
 * The bill of the rehearsed edition on AWS, priced with `bench:cost`'s table (`bench/aws-prices.ts`). What the
 * rehearsal counts is billed as counted (API requests, function invocations, events, emails); what it cannot
 * see from outside the platform is an assumption, printed with the bill. Fixed monthly items (alarms, WAF,
 * canaries, keys) are left to `npm run bench:cost`, which reads the synthesized stacks.
 */
import { price } from '../../bench/aws-prices.ts';
import type { PhaseFigures } from './metrics.ts';

/** Lambda memory of the API's functions (most are 256–512 MB; the count has 1024). */
const MEMORY_GB = 0.5;
/** DynamoDB request units per API request, on average (a write is a transaction of 2–4 items, a read 1–2). */
const WRU_PER_REQUEST = 3;
const RRU_PER_REQUEST = 2;
/** Requests to CloudFront per API request (the pages, scripts and styles around each call). */
const CDN_PER_REQUEST = 3;
const PAGE_BYTES = 60_000;
const UNCACHED_SHARE = 0.4;

export interface Counted {
  voters: number;
  ideas: number;
  httpRequests: number;
  events: number;
  asyncInvocations: number;
  /** True when `events` and `asyncInvocations` are estimates (a deployed edition: no counter from outside). */
  estimated?: boolean;
  emails: number;
  phases: PhaseFigures[];
}

export function editionBill(counted: Counted): { lines: [string, string, number][]; total: number } {
  // Lambda time: each request's latency as seen by the client (an upper bound of the function's duration).
  const gbSeconds = counted.phases.reduce((sum, p) => sum + (p.totalMs / 1000) * MEMORY_GB, 0);
  const invocations = counted.httpRequests + counted.asyncInvocations;
  const wru = counted.httpRequests * WRU_PER_REQUEST;
  const rru = counted.httpRequests * RRU_PER_REQUEST;
  const cdnRequests = counted.httpRequests * CDN_PER_REQUEST;
  const cdnGb = (cdnRequests * PAGE_BYTES * UNCACHED_SHARE) / 1024 ** 3;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const lines: [string, string, number][] = [
    [
      'API Gateway HTTP API requests',
      fmt(counted.httpRequests),
      (counted.httpRequests / 1e6) * price('httpApiRequestPerMillion'),
    ],
    [
      counted.estimated ? 'Lambda requests (ARM, async ones estimated)' : 'Lambda requests (ARM)',
      fmt(invocations),
      (invocations / 1e6) * price('lambdaRequestPerMillion'),
    ],
    ['Lambda duration (GB-s, ARM, upper bound)', fmt(gbSeconds), gbSeconds * price('lambdaArmGbSecond')],
    [
      counted.estimated ? 'EventBridge custom events (estimated)' : 'EventBridge custom events',
      fmt(counted.events),
      (counted.events / 1e6) * price('eventBridgeCustomEventPerMillion'),
    ],
    ['SES emails', fmt(counted.emails), (counted.emails / 1000) * price('sesEmailPerThousand')],
    [
      `DynamoDB write units (${WRU_PER_REQUEST}/request, assumed)`,
      fmt(wru),
      (wru / 1e6) * price('dynamodbWriteRequestUnitPerMillion'),
    ],
    [
      `DynamoDB read units (${RRU_PER_REQUEST}/request, assumed)`,
      fmt(rru),
      (rru / 1e6) * price('dynamodbReadRequestUnitPerMillion'),
    ],
    [
      `CloudFront (${CDN_PER_REQUEST} requests/API call, assumed)`,
      `${fmt(cdnRequests)} req, ${cdnGb.toFixed(1)} GB`,
      (cdnRequests / 1e4) * price('cloudFrontHttpsRequestsPerTenThousand') +
        cdnGb * price('cloudFrontDataTransferEuropeGb'),
    ],
  ];
  return { lines, total: lines.reduce((sum, [, , usd]) => sum + usd, 0) };
}
