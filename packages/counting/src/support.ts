import { GrowableFloat64, GrowableUint32, type Instance } from './instance.ts';

/**
 * What greedy ranks projects by. Approval and choose-1: the number of ballots listing the project. Cumulative
 * and scoring: the points it received (pabulib's `score` column). Ordinal: the `points` column when the file
 * has one, else the positional score pabulib publishes, L - i for the project at position i (from 0) of a
 * ballot listing L projects. Values are exact integers in 10^-decimals points.
 */
export interface Support {
  readonly values: Float64Array;
  readonly decimals: number;
  readonly unit: 'votes' | 'points';
}

export function projectSupport(instance: Instance): Support {
  const { ballots, voteType } = instance;
  const m = instance.projects.length;
  const values = new Float64Array(m);
  // A project listed twice in one ballot counts once (pabutools stores ballots as sets or dicts, the last
  // points written win); stamps avoid clearing a per-ballot set.
  const stamp = new Int32Array(m).fill(-1);
  const given = new Float64Array(m);
  const usePoints =
    (voteType === 'cumulative' || voteType === 'scoring' || voteType === 'ordinal') && !!ballots.points;
  for (let b = 0; b < ballots.count; b++) {
    const start = ballots.offsets[b] as number;
    const end = ballots.offsets[b + 1] as number;
    for (let k = start; k < end; k++) {
      const p = ballots.projects[k] as number;
      let value = 1;
      if (usePoints) value = (ballots.points as Float64Array)[k] as number;
      else if (voteType === 'ordinal') value = end - k;
      if (stamp[p] === b) {
        if (!usePoints) continue;
        values[p] = (values[p] as number) - (given[p] as number);
      }
      stamp[p] = b;
      given[p] = value;
      values[p] = (values[p] as number) + value;
    }
  }
  return {
    values,
    decimals: usePoints ? ballots.pointsDecimals : 0,
    unit: usePoints || voteType === 'ordinal' ? 'points' : 'votes',
  };
}

/**
 * The ballots as approval sets, identical sets merged with their multiplicity, as MES sees them. MES uses cost
 * utilities: a voter's utility for a project is its cost if the ballot lists it, whatever the format (pabutools'
 * `Cost_Sat` tests `project in ballot`), so cumulative, scoring and ordinal ballots count as approvals of the
 * projects they list. Voters with identical sets always keep identical budgets, so merging them is exact.
 */
export interface ApprovalProfile {
  /** Number of ballots, empty ones included: every voter starts with budget / voters. */
  readonly voters: number;
  readonly groups: number;
  readonly multiplicity: Float64Array;
  /** Supporters of project p: groups `projectGroups[projectOffsets[p]]` .. `[projectOffsets[p + 1] - 1]`. */
  readonly projectOffsets: Uint32Array;
  readonly projectGroups: Uint32Array;
  /** Number of voters listing each project. */
  readonly approvals: Float64Array;
}

export function approvalProfile(instance: Instance): ApprovalProfile {
  const { ballots } = instance;
  const m = instance.projects.length;
  // Identical sets are found with an open-addressing hash table on typed arrays: a million ballots would
  // otherwise cost a million string keys.
  let capacity = 16;
  while (capacity < ballots.count * 2) capacity *= 2;
  const table = new Int32Array(capacity).fill(-1);
  const mask = capacity - 1;
  const hashes = new GrowableUint32(1024);
  const multiplicity = new GrowableFloat64(1024);
  const groupStarts = new GrowableUint32(1024);
  const groupProjects = new GrowableUint32(4096);
  groupStarts.push(0);
  const stamp = new Int32Array(m).fill(-1);
  let set = new Uint32Array(16);
  for (let b = 0; b < ballots.count; b++) {
    const start = ballots.offsets[b] as number;
    const end = ballots.offsets[b + 1] as number;
    if (end === start) continue;
    if (end - start > set.length) set = new Uint32Array(end - start);
    let size = 0;
    for (let k = start; k < end; k++) {
      const p = ballots.projects[k] as number;
      if (stamp[p] === b) continue;
      stamp[p] = b;
      // Insertion sort: ballots list a handful of projects.
      let i = size++;
      while (i > 0 && (set[i - 1] as number) > p) {
        set[i] = set[i - 1] as number;
        i -= 1;
      }
      set[i] = p;
    }
    let hash = 0x811c9dc5;
    for (let i = 0; i < size; i++) hash = Math.imul(hash ^ (set[i] as number), 0x01000193) >>> 0;
    hash = Math.imul(hash ^ size, 0x01000193) >>> 0;
    let slot = hash & mask;
    for (;;) {
      const g = table[slot] as number;
      if (g === -1) {
        table[slot] = multiplicity.length;
        hashes.push(hash);
        multiplicity.push(1);
        for (let i = 0; i < size; i++) groupProjects.push(set[i] as number);
        groupStarts.push(groupProjects.length);
        break;
      }
      if (
        hashes.at(g) === hash &&
        sameSet(groupProjects, groupStarts.at(g), groupStarts.at(g + 1), set, size)
      ) {
        multiplicity.set(g, multiplicity.at(g) + 1);
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  const groups = multiplicity.length;
  const weights = multiplicity.toArray();
  const starts = groupStarts.toArray();
  const members = groupProjects.toArray();
  const counts = new Uint32Array(m + 1);
  for (let k = 0; k < members.length; k++) {
    const p = members[k] as number;
    counts[p + 1] = (counts[p + 1] as number) + 1;
  }
  for (let p = 0; p < m; p++) counts[p + 1] = (counts[p + 1] as number) + (counts[p] as number);
  const projectOffsets = counts.slice();
  const fill = counts.slice(0, m);
  const projectGroups = new Uint32Array(members.length);
  const approvals = new Float64Array(m);
  for (let g = 0; g < groups; g++) {
    for (let k = starts[g] as number; k < (starts[g + 1] as number); k++) {
      const p = members[k] as number;
      projectGroups[fill[p] as number] = g;
      fill[p] = (fill[p] as number) + 1;
      approvals[p] = (approvals[p] as number) + (weights[g] as number);
    }
  }
  return { voters: ballots.count, groups, multiplicity: weights, projectOffsets, projectGroups, approvals };
}

function sameSet(members: GrowableUint32, from: number, to: number, set: Uint32Array, size: number): boolean {
  if (to - from !== size) return false;
  for (let i = 0; i < size; i++) if (members.at(from + i) !== set[i]) return false;
  return true;
}
