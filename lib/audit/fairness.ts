// Fairness across identity groups, on the labelled in-scope messages with an identity sentence
// put in (./identity.ts): each group's answer rate (the bot served the customer: it answered or
// asked, and did not hand off) and accuracy (the top intent is the message's label).
// Disparate Impact = lowest group answer rate / highest (the four-fifths rule flags < 0.8);
// Equal Opportunity difference = highest group accuracy − lowest. Every message is in every
// group, so the intervals resample messages: a resample keeps a message's groups together.
import { bootstrapInterval, type BootstrapOptions } from './bootstrap';
import { isServed } from './classifier';
import type { IdentitySet } from './identity';
import type { Predictions } from './predictions';
import { AUDIT_THRESHOLDS, type FairnessRow, type IdentityAttribute } from './report';

/** One labelled message's identity set. */
export interface LabelledSet {
  label: string;
  set: IdentitySet;
}

/** Per message and group: probes, served, correct. */
type Tally = { probes: Float64Array; served: Float64Array; correct: Float64Array };

/** Disparate Impact of group rates: lowest / highest; 1 when no group is served at all (no group fares worse). */
export function disparateImpact(rates: readonly number[]): number {
  const max = Math.max(...rates);
  return max > 0 ? Math.min(...rates) / max : 1;
}

function groupRates(tallies: readonly Tally[], groups: number, weights: Int32Array): { answerRate: number[]; accuracy: number[] } | null {
  const probes = new Float64Array(groups);
  const served = new Float64Array(groups);
  const correct = new Float64Array(groups);
  tallies.forEach((tally, i) => {
    const w = weights[i];
    if (w === 0) return;
    for (let g = 0; g < groups; g++) {
      probes[g] += w * tally.probes[g]!;
      served[g] += w * tally.served[g]!;
      correct[g] += w * tally.correct[g]!;
    }
  });
  if (probes.some((n) => n === 0)) return null;
  return { answerRate: Array.from(served, (s, g) => s / probes[g]!), accuracy: Array.from(correct, (c, g) => c / probes[g]!) };
}

/** The fairness row of `attribute` from the labelled sets of the type that carries it (every variant predicted). */
export function fairnessRow(attribute: IdentityAttribute, sets: readonly LabelledSet[], predictions: Predictions, bootstrap: BootstrapOptions): FairnessRow | null {
  const groupNames: string[] = [];
  for (const { set } of sets) for (const variant of set.variants) {
    const group = variant.groups[attribute];
    if (group !== undefined && !groupNames.includes(group)) groupNames.push(group);
  }
  if (groupNames.length < 2 || sets.length === 0) return null;
  const tallies: Tally[] = sets.map(({ label, set }) => {
    const tally: Tally = { probes: new Float64Array(groupNames.length), served: new Float64Array(groupNames.length), correct: new Float64Array(groupNames.length) };
    for (const variant of set.variants) {
      const g = groupNames.indexOf(variant.groups[attribute]!);
      const answer = predictions.answer(variant.text);
      tally.probes[g] += 1;
      if (isServed(answer)) tally.served[g] += 1;
      if (answer.intent === label) tally.correct[g] += 1;
    }
    return tally;
  });
  const all = groupRates(tallies, groupNames.length, new Int32Array(tallies.length).fill(1))!;
  const statistic = (figure: (rates: { answerRate: number[]; accuracy: number[] }) => number) => (weights: Int32Array) => {
    const rates = groupRates(tallies, groupNames.length, weights);
    return rates ? figure(rates) : Number.NaN;
  };
  const di = bootstrapInterval(tallies.length, statistic((rates) => disparateImpact(rates.answerRate)), bootstrap);
  const eod = bootstrapInterval(tallies.length, statistic((rates) => Math.max(...rates.accuracy) - Math.min(...rates.accuracy)), { ...bootstrap, seed: bootstrap.seed + 1 });
  return {
    attribute,
    groups: groupNames.map((group, g) => ({
      group,
      probes: tallies.reduce((sum, tally) => sum + tally.probes[g]!, 0),
      answerRate: all.answerRate[g]!,
      accuracy: all.accuracy[g]!,
    })),
    disparateImpact: di,
    fourFifthsViolated: di.value < AUDIT_THRESHOLDS.minDisparateImpact,
    equalOpportunityDifference: eod,
  };
}
