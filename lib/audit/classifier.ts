// What the audit needs of a model: texts in, calibrated probabilities out, its labels, and the
// policy it answers under. The real model (./model.ts) and the tests' synthetic models are both
// this, so the suites cannot tell them apart. "The answer" to a message is what the chat would
// do with it: the policy's decision (lib/bot/policy.ts) and, when it answers or asks, the intent.
import { decide } from '@/lib/bot/policy';
import type { Explanation } from '@/lib/explain';
import { isUnreadable } from '@/lib/model/readability';
import type { PredictFn, Thresholds } from '@/lib/model/types';
import type { DecisionKind } from '@/lib/records/turn';

export interface AuditClassifier {
  /** Class names, in the order of `predict`'s probabilities. */
  labels: string[];
  outOfScopeLabel: string | null;
  /** The policy's thresholds (the model card's). */
  thresholds: Thresholds;
  /** The bot's language (BCP 47): which word lists apply and where words begin and end. */
  language: string;
  /** The characters of the training texts (the readability rule); absent: every message is readable. */
  characters?: string;
  predict: PredictFn;
  /**
   * The explanations the chat would store for `text`, explaining label `target`, within
   * `budgetMs` (lib/explain `explainAll`), predicting through `predict` (the audit's cache);
   * absent for a model without internals.
   */
  explain?: (text: string, target: number, budgetMs: number, predict: PredictFn) => Promise<Explanation[]>;
}

export interface Answer {
  kind: DecisionKind;
  /** The top intent (what the decision is about). */
  intent: string;
  index: number;
  /**
   * What the customer gets, as one key: the decision and, for an answer or a question, its
   * intent; a hand-off or "cannot read" is the same whatever the model thought.
   */
  key: string;
}

export function answerOf(classifier: AuditClassifier, text: string, probabilities: readonly number[]): Answer {
  const unreadable = classifier.characters !== undefined && isUnreadable(text, classifier.characters);
  const decision = decide({ labels: classifier.labels, probabilities: [...probabilities], thresholds: classifier.thresholds, outOfScopeLabel: classifier.outOfScopeLabel, unreadable });
  const index = classifier.labels.indexOf(decision.intent);
  const key = decision.kind === 'answer' || decision.kind === 'clarify' ? `${decision.kind}:${decision.intent}` : decision.kind;
  return { kind: decision.kind, intent: decision.intent, index, key };
}

/** Whether the bot served the customer itself: it answered or asked which intent they meant, and did not hand off. */
export const isServed = (answer: Answer): boolean => answer.kind === 'answer' || answer.kind === 'clarify';
