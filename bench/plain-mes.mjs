#!/usr/bin/env node
/**
 * The timing baseline of `npm run bench:recount`: a plain JavaScript count of one pabulib file with `mes` (the
 * Method of Equal Shares with cost utilities, completed by greedy), parse included, written for the comparison
 * only: no TypeScript, no library, no product rules, no explanations. Money is in floating point (the library
 * counts in exact fractions): good enough for a timing baseline, not for a published result; ties are broken by
 * project id only where the floats are exactly equal.
 *
 * Usage: node bench/plain-mes.mjs <file.pb>  → prints the selected ids as a JSON array.
 */
import { readFileSync } from 'node:fs';

function splitRow(line) {
  if (!line.includes('"')) return line.split(';');
  const cells = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

function parse(text) {
  const meta = new Map();
  const projects = []; // { id, cost, supporters: [] }
  const byId = new Map();
  const ballots = []; // arrays of project indexes
  let section = '';
  let header;
  let voteColumn = -1;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    const upper = line.trim().toUpperCase();
    if (upper === 'META' || upper === 'PROJECTS' || upper === 'VOTES') {
      section = upper;
      header = undefined;
      continue;
    }
    const cells = splitRow(line);
    if (!header) {
      header = cells.map((c) => c.trim());
      voteColumn = header.indexOf('vote');
      continue;
    }
    if (section === 'META') meta.set(cells[0].trim(), (cells[1] ?? '').trim());
    else if (section === 'PROJECTS') {
      const project = {
        id: cells[header.indexOf('project_id')].trim(),
        cost: Number(cells[header.indexOf('cost')]),
        supporters: [],
      };
      byId.set(project.id, projects.length);
      projects.push(project);
    } else if (section === 'VOTES') {
      const vote = (cells[voteColumn] ?? '').trim();
      ballots.push(vote === '' ? [] : vote.split(',').map((id) => byId.get(id.trim())));
    }
  }
  for (const [voter, ballot] of ballots.entries()) {
    for (const p of ballot) projects[p].supporters.push(voter);
  }
  return { budget: Number(meta.get('budget')), projects, voters: ballots.length };
}

const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function mes({ budget, projects, voters }) {
  const money = new Float64Array(voters).fill(budget / voters);
  let remaining = projects.filter((p) => p.cost > 0 && p.supporters.length > 0);
  const selected = [];
  for (;;) {
    let best;
    let bestRho = Number.POSITIVE_INFINITY;
    const next = [];
    for (const p of remaining) {
      const budgets = Float64Array.from(p.supporters, (i) => money[i]).sort();
      let total = 0;
      for (const b of budgets) total += b;
      if (total < p.cost) continue; // its supporters cannot pay any more: dropped for good
      next.push(p);
      // The smallest share alpha with sum(min(b_i, alpha)) = cost, the voters in ascending budget order.
      let paid = 0;
      let alpha = 0;
      for (let k = 0; k < budgets.length; k++) {
        const share = (p.cost - paid) / (budgets.length - k);
        if (share <= budgets[k]) {
          alpha = share;
          break;
        }
        paid += budgets[k];
      }
      const rho = alpha / p.cost;
      if (rho < bestRho || (rho === bestRho && byId(p, best) < 0)) {
        bestRho = rho;
        best = p;
      }
    }
    if (!best) break;
    const alpha = bestRho * best.cost;
    for (const i of best.supporters) money[i] -= Math.min(money[i], alpha);
    selected.push(best);
    remaining = next.filter((p) => p !== best);
  }
  return selected;
}

function greedyCompletion({ budget, projects }, chosen) {
  const selected = [...chosen];
  const taken = new Set(chosen);
  let left = budget - chosen.reduce((sum, p) => sum + p.cost, 0);
  const order = [...projects].sort((a, b) => b.supporters.length - a.supporters.length || byId(a, b));
  for (const p of order) {
    if (taken.has(p) || p.cost > left) continue;
    selected.push(p);
    left -= p.cost;
  }
  return selected;
}

const file = process.argv[2];
if (!file) {
  console.error('Usage: node bench/plain-mes.mjs <file.pb>');
  process.exit(2);
}
const instance = parse(readFileSync(file, 'utf8'));
console.log(JSON.stringify(greedyCompletion(instance, mes(instance)).map((p) => p.id)));
