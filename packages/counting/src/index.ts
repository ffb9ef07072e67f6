/**
 * The counting library: pure, deterministic, exact (integers and BigInt fractions, never floating point for
 * money), with no dependency. Read a pabulib file or build an instance, count it with a rule, explain every
 * project. See the package's README.md for what matches pabutools 1.2.3 and the choices made beyond it.
 */
export {
  type CountOptions,
  type CountResult,
  count,
  countEnvelopes,
  type MesDetail,
  type ProjectExplanation,
  type ProjectStatus,
  type ReservedAmount,
  type Stage,
} from './count.ts';
export { type Decimal, formatUnits, parseDecimal } from './decimal.ts';
export {
  describeTieBreak,
  type ExplainLabels,
  explainProject,
  formatAmount,
  formatSupport,
  RULE_LABELS,
} from './explain.ts';
export { type Fraction, fractionToDecimal } from './fraction.ts';
export {
  type BallotInput,
  type Ballots,
  createInstance,
  type Instance,
  type InstanceInput,
  type Project,
  type ProjectInput,
  type VoteType,
} from './instance.ts';
export {
  PabulibParser,
  PabulibSyntaxError,
  pabulibLines,
  parsePabulib,
  parsePabulibStream,
  writePabulib,
} from './pabulib.ts';
export { checkReferenceFile, META_THRESHOLD, type ReferenceCheck } from './reference-check.ts';
export { isRuleName, RULES, type RuleName } from './rules.ts';
export { countResultToJson, type ExactJson } from './serialize.ts';
export { compareCodePoints, DEFAULT_TIE_BREAK, type TieBreak } from './tie-break.ts';
