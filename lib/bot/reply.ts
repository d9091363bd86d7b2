import type { ReplyParts } from '@/lib/records/turn';
import { intentLabel, type BotContent } from './answers';
import type { Decision } from './policy';

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
