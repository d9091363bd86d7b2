import { DEFAULT_LANGUAGE } from '@/lib/model/card';
import { isUnreadable } from '@/lib/model/readability';
import type { Thresholds } from '@/lib/model/types';
import type { PredictionRecord, ReplyParts } from '@/lib/records/turn';
import { intentLabel, type BotContent } from './answers';
import { decide, ranked, type Decision } from './policy';
import { unreadableReplyText } from './unreadable-reply';

export type Reply = { text: string; parts: ReplyParts };

/**
 * What the bot says for a decision: the intent's answer, a "Did you mean", a hand-off, or, for
 * a message it cannot read, which language it reads (in `language`, the bot's) with the offer
 * of a person.
 */
export function composeReply(content: BotContent, decision: Decision, language = DEFAULT_LANGUAGE, labels?: readonly string[]): Reply {
  switch (decision.kind) {
    case 'answer':
      return answerFor(content, decision.intent, labels);
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
    case 'unreadable':
      return { text: unreadableReplyText(language), parts: { kind: 'handoff', intent: decision.intent, handoffReason: 'unreadable' } };
  }
}

/**
 * The answer for an intent, with its follow-up questions: those the model version answering
 * knows (`labels`), when given. The answers are the bot's, the intents the model's: a version
 * trained on fewer intents does not suggest a question it has no class for.
 */
export function answerFor(content: BotContent, intent: string, labels?: readonly string[]): Reply {
  const entry = content.intents[intent];
  if (!entry) {
    return { text: content.handoff.unsure, parts: { kind: 'handoff', intent, handoffReason: 'unsure' } };
  }
  return {
    text: entry.answer,
    parts: {
      kind: 'answer',
      intent,
      quickReplies: entry.quickReplies.filter((reply) => !labels || labels.includes(reply.intent)).map((reply) => ({ text: reply.text, intent: reply.intent })),
    },
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

/**
 * What a classified message needs of the model that classified it (the model card's facts):
 * `language` is the bot's (BCP 47), `characters` those of its training texts
 * (`trainingCharacters` in lib/model/readability.ts), which say whether it can read a message.
 */
export type ClassifierFacts = {
  bot: string;
  version: string;
  labels: string[];
  outOfScopeLabel: string | null;
  thresholds: Thresholds;
  language: string;
  characters: string;
};

/**
 * The bot's answer to a classified message and the prediction record stored with it: the one
 * place where the model's probabilities become a decision, a reply and a `PredictionRecord`
 * (the chat's transport, the seed, the tests and the benches all build them here). The message's
 * text says whether the model could read it at all (`isUnreadable`). `previous` is the bot's
 * reply to the customer's previous message, if any (see `isRepeat`).
 */
export function answerClassified(
  content: BotContent,
  model: ClassifierFacts,
  message: { text: string; probabilities: number[] },
  run: { id: string; backend: PredictionRecord['backend']; latencyMs: number },
  previous: ReplyParts | null = null,
): { reply: Reply; decision: Decision; prediction: PredictionRecord } {
  const { labels, outOfScopeLabel, thresholds } = model;
  const { probabilities } = message;
  const decision = decide({ labels, probabilities, thresholds, outOfScopeLabel, unreadable: isUnreadable(message.text, model.characters) });
  return {
    reply: isRepeat(decision, previous) ? repeatHandoff(content, decision) : composeReply(content, decision, model.language, labels),
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
