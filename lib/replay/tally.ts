// The replay's counts, kept as the messages go by: agreement, flips by answer pair, the decision
// mix, accuracy on the labelled messages, and the groups of flipped messages. Memory grows with
// the distinct flips and flipped questions, never with the messages replayed.
import type { DecisionKind } from '@/lib/records/turn';
import { DECISIONS } from '@/lib/records/turn';
import { normalizeForGrouping } from './grouping';
import { MAX_FLIP_PAIRS, type FlippedGroup, type ReplayAnswer, type ReplayReport } from './report';

/** One version's answer to one message: the report's fields, its answer key and the index of its top intent among the version's labels. */
export type ScoredAnswer = ReplayAnswer & { key: string; index: number };

/** Where a message's human label comes from (see `ReplayReport['labelled']`). */
export type LabelSource = 'review' | 'handoff';

export type TalliedMessage = {
  /** As stored (personal data masked). */
  text: string;
  conversationId: string;
  label: { intent: string; source: LabelSource } | null;
};

/** A group of flipped messages while the replay runs (its customers as a set). */
export type OpenGroup = Omit<FlippedGroup, 'customers' | 'explanations'> & { customers: Set<string>; activeIndex: number; candidateIndex: number };

type LabelledCounts = { messages: number; activeCorrect: number; candidateCorrect: number };

/** Whether `answer` is right for a message labelled `label`: a hand-off for an out-of-scope label, else the top intent. */
export function answersLabel(answer: Pick<ReplayAnswer, 'kind' | 'intent'>, label: string, isOutOfScope: (intent: string) => boolean): boolean {
  return isOutOfScope(label) ? answer.kind === 'handoff' : answer.intent === label;
}

const byCountThenKeys = <T extends { count: number; from: string; to: string }>(a: T, b: T) =>
  b.count - a.count || (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0);

export class ReplayTally {
  messages = 0;
  private agreed = 0;
  private sameTop = 0;
  private readonly pairs = new Map<string, { from: string; to: string; count: number }>();
  private readonly transitions = new Map<string, { from: DecisionKind; to: DecisionKind; count: number }>();
  private readonly mix = new Map<DecisionKind, { active: number; candidate: number }>(DECISIONS.map((kind) => [kind, { active: 0, candidate: 0 }]));
  private readonly labelled: Record<LabelSource, LabelledCounts> = {
    review: { messages: 0, activeCorrect: 0, candidateCorrect: 0 },
    handoff: { messages: 0, activeCorrect: 0, candidateCorrect: 0 },
  };
  private readonly groups = new Map<string, OpenGroup>();

  constructor(private readonly isOutOfScope: (intent: string) => boolean) {}

  add(message: TalliedMessage, active: ScoredAnswer, candidate: ScoredAnswer): void {
    this.messages++;
    if (active.intent === candidate.intent) this.sameTop++;
    this.mix.get(active.kind)!.active++;
    this.mix.get(candidate.kind)!.candidate++;
    if (active.kind !== candidate.kind) {
      const key = `${active.kind}\0${candidate.kind}`;
      const transition = this.transitions.get(key) ?? { from: active.kind, to: candidate.kind, count: 0 };
      transition.count++;
      this.transitions.set(key, transition);
    }
    if (message.label) {
      const counts = this.labelled[message.label.source];
      counts.messages++;
      if (answersLabel(active, message.label.intent, this.isOutOfScope)) counts.activeCorrect++;
      if (answersLabel(candidate, message.label.intent, this.isOutOfScope)) counts.candidateCorrect++;
    }
    if (active.key === candidate.key) {
      this.agreed++;
      return;
    }
    const pairKey = `${active.key}\0${candidate.key}`;
    const pair = this.pairs.get(pairKey) ?? { from: active.key, to: candidate.key, count: 0 };
    pair.count++;
    this.pairs.set(pairKey, pair);
    // One group per question and answer change: each group is answered one way by each version.
    const groupKey = `${normalizeForGrouping(message.text)}\0${pairKey}`;
    let group = this.groups.get(groupKey);
    if (!group) {
      group = {
        text: message.text,
        messages: 0,
        customers: new Set(),
        active: { kind: active.kind, intent: active.intent, p: active.p },
        candidate: { kind: candidate.kind, intent: candidate.intent, p: candidate.p },
        activeIndex: active.index,
        candidateIndex: candidate.index,
        ...(message.label ? { label: message.label.intent } : {}),
      };
      this.groups.set(groupKey, group);
    }
    group.messages++;
    group.customers.add(message.conversationId);
  }

  /** Every group of flipped messages, the most customers first, then the most messages, then by text. */
  flippedGroups(): OpenGroup[] {
    return [...this.groups.values()].sort((a, b) => b.customers.size - a.customers.size || b.messages - a.messages || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  }

  /** The report's counting fields (the groups themselves are `flippedGroups()`). */
  counts(): Pick<ReplayReport, 'messages' | 'agreement' | 'sameTopIntent' | 'flipsByPair' | 'otherFlips' | 'decisionMix' | 'labelled' | 'flippedGroups'> {
    const pairs = [...this.pairs.values()].sort(byCountThenKeys);
    const listed = pairs.slice(0, MAX_FLIP_PAIRS);
    const { review, handoff } = this.labelled;
    const labelled = { messages: review.messages + handoff.messages, activeCorrect: review.activeCorrect + handoff.activeCorrect, candidateCorrect: review.candidateCorrect + handoff.candidateCorrect };
    return {
      messages: this.messages,
      agreement: this.messages ? this.agreed / this.messages : 1,
      sameTopIntent: this.messages ? this.sameTop / this.messages : 1,
      flipsByPair: listed,
      otherFlips: pairs.slice(MAX_FLIP_PAIRS).reduce((sum, pair) => sum + pair.count, 0),
      decisionMix: {
        kinds: DECISIONS.map((kind) => ({ kind, ...this.mix.get(kind)! })),
        transitions: [...this.transitions.values()].sort(byCountThenKeys),
      },
      labelled: {
        ...labelled,
        activeAccuracy: labelled.messages ? labelled.activeCorrect / labelled.messages : null,
        candidateAccuracy: labelled.messages ? labelled.candidateCorrect / labelled.messages : null,
        bySource: { review: { ...review }, handoff: { ...handoff } },
      },
      flippedGroups: this.groups.size,
    };
  }
}

/** A group as the report lists it. */
export function reportGroup(group: OpenGroup, explanations?: FlippedGroup['explanations']): FlippedGroup {
  return {
    text: group.text,
    messages: group.messages,
    customers: group.customers.size,
    active: group.active,
    candidate: group.candidate,
    ...(group.label !== undefined ? { label: group.label } : {}),
    ...(explanations ? { explanations } : {}),
  };
}
