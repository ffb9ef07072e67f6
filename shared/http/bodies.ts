/**
 * Every body schema of the API by route key, gathered for the OpenAPI document (and the tests that walk every
 * body). Apart from shared/http/schemas.ts: a function that parses one body does not carry every context's.
 */
import type * as z from 'zod/mini';
import { UnsubscribeBody } from '../email/email-log-schemas.ts';
import { IDEA_REQUEST_BODIES } from './idea-schemas.ts';
import { INSTRUCTION_REQUEST_BODIES } from './instruction-schemas.ts';
import { RESULTS_REQUEST_BODIES, RESULTS_RESPONSE_BODIES } from './results-schemas.ts';
import {
  ChangePhaseBody,
  InPersonRegistrationBody,
  OpenSessionBody,
  RequestCodeBody,
  ReviewDecisionBody,
} from './schemas.ts';
import { VOTING_REQUEST_BODIES } from './voting-schemas.ts';

/** Body schema per route key, for the OpenAPI document. */
export const REQUEST_BODIES: Record<string, z.ZodMiniType> = {
  ...VOTING_REQUEST_BODIES,
  ...IDEA_REQUEST_BODIES,
  ...INSTRUCTION_REQUEST_BODIES,
  ...RESULTS_REQUEST_BODIES,
  'POST /api/editions/{edition}/staff/phase': ChangePhaseBody,
  'POST /api/editions/{edition}/unsubscribe': UnsubscribeBody,
  'POST /api/editions/{edition}/identity/code': RequestCodeBody,
  'POST /api/editions/{edition}/identity/session': OpenSessionBody,
  'POST /api/editions/{edition}/staff/identity/reviews/{id}': ReviewDecisionBody,
  'POST /api/editions/{edition}/staff/identity/in-person': InPersonRegistrationBody,
};

/** Documented 200 answer schema per route key, for the OpenAPI document (routes without one say `OK`). */
export const RESPONSE_BODIES: Record<string, z.ZodMiniType> = {
  ...RESULTS_RESPONSE_BODIES,
};
