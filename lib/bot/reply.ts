import type { Thresholds } from '@/lib/model/types';
import type { PredictionRecord, ReplyParts } from '@/lib/records/turn';
import { intentLabel, type BotContent } from './answers';
import { decide, ranked, type Decision } from './policy';

export type Reply = { text: string; parts: ReplyParts };

/** What the bot says for a decision: the intent's answer, a "Did you mean", or a hand-off. */
export function composeReply(content: BotContent, decision: Decision): Reply {
  switch (decision.kind) {
    case 'answer':
      return answerFor(content, decision.intent);
    case 'clarify':
      return {
        text: content.clarifyPrompt,
        parts: {
          kind: 'clarify',
          intent: decision.intent,
          options: decision.options.map((option) => ({ ...option, label: intentLabel(content, option.intent) })),
        },
      };
    case 'handoff':
      return {
        text: decision.reason === 'out_of_scope' ? content.handoff.outOfScope : content.handoff.unsure,
        parts: { kind: 'handoff', intent: decision.intent, handoffReason: decision.reason },
      };
  }
}

/** The answer for an intent, with its follow-up questions. */
export function answerFor(content: BotContent, intent: string): Reply {
  const entry = content.intents[intent];
  if (!entry) {
    return { text: content.handoff.unsure, parts: { kind: 'handoff', intent, handoffReason: 'unsure' } };
  }
  return {
    text: entry.answer,
    parts: { kind: 'answer', intent, quickReplies: entry.quickReplies.map((reply) => ({ text: reply.text, intent: reply.intent })) },
  };
}

export function handoffConfirmation(content: BotContent): Reply {
  return { text: content.handoff.confirmation, parts: { kind: 'handoff-requested', handoffReason: 'requested' } };
}

/**
 * While a person of the team holds the conversation the bot stays quiet: the customer's message
 * is stored with this delivery note as its reply (the chat shows it small, not as a bot answer).
 */
export function withAgentNote(content: BotContent): Reply {
  return { text: content.handoff.withAgent, parts: { kind: 'with-agent' } };
}

/**
 * The customer is repeating themselves when the bot would answer with the intent it answered
 * their previous message with: the same answer again would not help, so a person takes over
 * (the model's decision is recorded as it was; only the reply changes).
 */
export function isRepeat(decision: Decision, previous: ReplyParts | null): boolean {
  return decision.kind === 'answer' && previous?.kind === 'answer' && previous.intent === decision.intent;
}

/** The hand-off said instead of repeating an answer. */
export function repeatHandoff(content: BotContent, decision: Decision): Reply {
  return { text: content.handoff.repeated, parts: { kind: 'handoff', intent: decision.intent, handoffReason: 'repeated' } };
}

/** What a classified message needs of the model that classified it (the model card's facts). */
export type ClassifierFacts = { bot: string; version: string; labels: string[]; outOfScopeLabel: string | null; thresholds: Thresholds };

/**
 * The bot's answer to a classified message and the prediction record stored with it: the one
 * place where the model's probabilities become a decision, a reply and a `PredictionRecord`
 * (the chat's transport, the seed, the tests and the benches all build them here). `previous`
 * is the bot's reply to the customer's previous message, if any (see `isRepeat`).
 */
export function answerClassified(
  content: BotContent,
  model: ClassifierFacts,
  probabilities: number[],
  run: { id: string; backend: PredictionRecord['backend']; latencyMs: number },
  previous: ReplyParts | null = null,
): { reply: Reply; decision: Decision; prediction: PredictionRecord } {
  const { labels, outOfScopeLabel, thresholds } = model;
  const decision = decide({ labels, probabilities, thresholds, outOfScopeLabel });
  return {
    reply: isRepeat(decision, previous) ? repeatHandoff(content, decision) : composeReply(content, decision),
    decision,
    prediction: {
      id: run.id,
      modelId: model.bot,
      modelVersion: model.version,
      intent: decision.intent,
      confidence: decision.confidence,
      topK: ranked(labels, probabilities).slice(0, 5),
      decision: decision.kind,
      backend: run.backend,
      latencyMs: run.latencyMs,
    },
  };
}
