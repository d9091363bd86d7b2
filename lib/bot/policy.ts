import type { Thresholds } from '@/lib/model/types';

/**
 * The dialogue policy: from the model's calibrated probabilities to what the bot does.
 * - say honestly that it cannot read the message when it is written in characters the model
 *   never saw in training (`unreadable`, the rule of lib/model/readability.ts): its
 *   probabilities mean nothing then, so they decide nothing (the top intent is still recorded);
 * - hand off when the message is out of scope (the model's out-of-scope class wins, or no
 *   intent reaches the calibrated threshold, nor do the close intents together);
 * - clarify when the most probable intents are too close to tell apart;
 * - answer otherwise.
 * The thresholds were chosen on a validation split by the training pipeline and come from
 * the model card.
 */
export type Decision =
  | { kind: 'answer'; intent: string; confidence: number }
  | { kind: 'clarify'; intent: string; confidence: number; options: { intent: string; probability: number }[] }
  | { kind: 'handoff'; intent: string; confidence: number; reason: 'out_of_scope' | 'unsure' }
  | { kind: 'unreadable'; intent: string; confidence: number };


export type PolicyInput = {
  labels: string[];
  probabilities: number[];
  thresholds: Thresholds;
  outOfScopeLabel: string | null;
  /** At most this many "Did you mean" options. */
  maxOptions?: number;
  /** The readability rule's verdict on the message (`isUnreadable`); false when not given. */
  unreadable?: boolean;
};

export function ranked(labels: string[], probabilities: number[]): { intent: string; probability: number }[] {
  if (labels.length !== probabilities.length) throw new Error('labels and probabilities differ in length');
  return labels.map((intent, i) => ({ intent, probability: probabilities[i]! })).sort((a, b) => b.probability - a.probability);
}

export function decide({ labels, probabilities, thresholds, outOfScopeLabel, maxOptions = 3, unreadable = false }: PolicyInput): Decision {
  const all = ranked(labels, probabilities);
  const top = all[0]!;
  if (unreadable) return { kind: 'unreadable', intent: top.intent, confidence: top.probability };
  if (top.intent === outOfScopeLabel) return { kind: 'handoff', intent: top.intent, confidence: top.probability, reason: 'out_of_scope' };
  const inScope = all.filter((entry) => entry.intent !== outOfScopeLabel);
  // Every intent within the margin of the top one, most probable first: what a clarifying question offers.
  const options = inScope.filter((entry) => top.probability - entry.probability < thresholds.ambiguityMargin).slice(0, maxOptions);
  const ambiguous = options.length >= 2;
  if (top.probability < thresholds.outOfScope) {
    // A message split between close intents ("refund") is in scope, only ambiguous: it gets a
    // question when those intents together reach the threshold (training/train.py says_out_of_scope).
    const together = options.reduce((sum, entry) => sum + entry.probability, 0);
    if (!ambiguous || together < thresholds.outOfScope) return { kind: 'handoff', intent: top.intent, confidence: top.probability, reason: 'unsure' };
  }
  if (ambiguous) return { kind: 'clarify', intent: top.intent, confidence: top.probability, options };
  return { kind: 'answer', intent: top.intent, confidence: top.probability };
}
