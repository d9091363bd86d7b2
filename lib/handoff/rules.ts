import { createHash } from 'node:crypto';
import type { ConversationStatus, HandoffReason, ResolutionInput } from '@/lib/records/handoff';
import type { PredictionRecord, ReplyParts } from '@/lib/records/turn';

/**
 * The hand-off's domain rules, with no storage in them: which stored turn opens a hand-off and
 * with what reason and evidence, who may claim, reply and resolve, when the customer is told the
 * team is busy, and how a resolution becomes a training label. The states live in the database
 * (lib/db/queries/handoffs.ts); nothing here is kept between requests.
 */

export type { ConversationStatus, HandoffReason };
export type HandoffStatus = 'waiting' | 'assigned' | 'resolved';
export type AccountRole = 'admin' | 'agent';

/**
 * The reason a stored reply hands the conversation off, or null when it does not: a policy
 * hand-off (`handoff`, with its reason; none given counts as unsure) or the customer's request
 * (`handoff-requested`). A model that could not run is counted as unsure. A request that
 * accepts the offer made for a message the bot could not read (`trigger`, the message the
 * hand-off is about, with the stored decision on it) keeps that reason: what the person who
 * takes over needs to know is that the customer writes in another language.
 */
export function handoffReasonOf(parts: Pick<ReplyParts, 'kind' | 'handoffReason'>, trigger: { decision: PredictionRecord['decision'] | null } | null = null): HandoffReason | null {
  if (parts.kind === 'handoff-requested') return trigger?.decision === 'unreadable' ? 'unreadable' : 'requested';
  if (parts.kind !== 'handoff') return null;
  const reason = parts.handoffReason;
  return reason === undefined || reason === 'model_unavailable' ? 'unsure' : reason;
}

/** What the agent sees of the bot's evidence: the message as stored and the model's top intents. */
export type HandoffSnapshot = {
  /** The triggering message as stored (personal data masked). */
  text: string;
  predictionId: string | null;
  intent: string | null;
  confidence: number | null;
  topK: { intent: string; probability: number }[];
  /** The policy's decision on the triggering message, when the model classified it. */
  decision: PredictionRecord['decision'] | null;
};

/** How many of the model's intents a snapshot keeps. */
export const SNAPSHOT_TOP_INTENTS = 5;

export function snapshotOf(text: string, prediction: Pick<PredictionRecord, 'id' | 'intent' | 'confidence' | 'topK' | 'decision'> | null): HandoffSnapshot {
  return {
    text,
    predictionId: prediction?.id ?? null,
    intent: prediction?.intent ?? null,
    confidence: prediction?.confidence ?? null,
    topK: (prediction?.topK ?? []).slice(0, SNAPSHOT_TOP_INTENTS).map(({ intent, probability }) => ({ intent, probability })),
    decision: prediction?.decision ?? null,
  };
}

/** True when a waiting hand-off has waited longer than `busyAfterSeconds`: the customer is told honestly. */
export function isBusy(handoff: { status: HandoffStatus; createdAt: Date }, now: Date, busyAfterSeconds: number): boolean {
  return handoff.status === 'waiting' && now.getTime() - handoff.createdAt.getTime() > busyAfterSeconds * 1000;
}

export type Actor = { id: string; role: AccountRole };
export type OpenHandoff = { status: Exclude<HandoffStatus, 'resolved'>; assigneeId: string | null };

/** Why an action on a hand-off is refused; null when it is allowed. */
export type Refusal = { status: 403 | 409; message: string } | null;

/** Claim: a waiting hand-off, or one already yours; one assigned to someone else is a conflict (409). */
export function claimRefusal(handoff: OpenHandoff, actor: Actor): Refusal {
  if (handoff.status === 'assigned' && handoff.assigneeId !== actor.id) return { status: 409, message: 'Someone else has claimed this conversation.' };
  return null;
}

/** Reply: the assignee, or an admin on any open hand-off. */
export function replyRefusal(handoff: OpenHandoff, actor: Actor): Refusal {
  if (actor.role === 'admin' || (handoff.status === 'assigned' && handoff.assigneeId === actor.id)) return null;
  return handoff.status === 'waiting'
    ? { status: 409, message: 'Claim the conversation before replying.' }
    : { status: 403, message: 'This conversation is assigned to someone else.' };
}

/** Resolve: the assignee, or an admin on any open hand-off. */
export function resolveRefusal(handoff: OpenHandoff, actor: Actor): Refusal {
  if (actor.role === 'admin' || (handoff.status === 'assigned' && handoff.assigneeId === actor.id)) return null;
  return handoff.status === 'waiting'
    ? { status: 409, message: 'Claim the conversation before resolving it.' }
    : { status: 403, message: 'This conversation is assigned to someone else.' };
}

/**
 * The name the customer sees for a person of the team: the first part of their e-mail's local
 * part, capitalised ("ana.lopez@bank.example" → "Ana"), never the address itself.
 */
export function displayNameOf(email: string): string {
  const local = email.split('@')[0] ?? '';
  const first = local.split(/[._+-]/).find((part) => /\p{L}/u.test(part)) ?? '';
  const letters = first.replace(/[^\p{L}\p{M}]/gu, '').slice(0, 30);
  return letters ? letters[0]!.toLocaleUpperCase('en') + letters.slice(1).toLocaleLowerCase('en') : 'Support';
}

/** The prefix of a new topic's training label: model labels take it too (`labelField`), so a topic becomes an intent once trained. */
export const NEW_TOPIC_PREFIX = 'new_topic.';

/**
 * The training label of a new topic an agent named: `new_topic.` and the name as a slug (ASCII
 * letters and digits, accents dropped, words joined by `_`, at most 60 characters); a name with
 * no such letters (another script) gets a short hash of it, so two names never share a label.
 */
export function newTopicLabel(topic: string): string {
  const slug = topic
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60)
    .replace(/_+$/, '');
  if (slug) return `${NEW_TOPIC_PREFIX}${slug}`;
  return `${NEW_TOPIC_PREFIX}t${createHash('sha256').update(topic.trim().normalize('NFC')).digest('hex').slice(0, 12)}`;
}

export type Resolution = ResolutionInput;

/**
 * The label a resolved hand-off's triggering message is exported with: the intent, the new
 * topic's label, or for "not a support request" the bot's out-of-scope label (the model learns
 * to hand such messages off).
 */
export function trainingLabelOf(
  resolved: { resolution: Resolution['resolution']; resolutionIntent: string | null; resolutionTopic: string | null },
  outOfScopeLabel: string,
): string | null {
  switch (resolved.resolution) {
    case 'intent':
      return resolved.resolutionIntent;
    case 'new_topic':
      return resolved.resolutionTopic ? newTopicLabel(resolved.resolutionTopic) : null;
    case 'not_support':
      return outOfScopeLabel;
  }
}
