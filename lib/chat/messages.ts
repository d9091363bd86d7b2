import type { UIMessage } from 'ai';
import type { PredictionRecord, ReplyParts, RestoredConversation, UserParts } from '@/lib/records/turn';
import type { AgentMessage } from './handoff';

/** Per-message facts the chat shows and stores. */
export type ChatMetadata = {
  seq?: number;
  /** For user messages: how it was sent (typed, quick reply, "Did you mean" choice…). */
  userParts?: UserParts;
  /** For bot replies: the prediction behind the reply, if the model made one. */
  prediction?: PredictionRecord;
  feedback?: { helpful: boolean; comment: string | null } | null;
  /** When the server stored it (restored messages only): places the team's notices among them. */
  createdAt?: string;
};

/**
 * A reply's explanations are not a part: the session holds them (lib/chat/session.ts).
 * `agent` marks a message from a person of the team, `notice` a line about the hand-off
 * ("A person from the team has joined"): neither is the bot's, and neither takes a `seq`.
 */
export type ChatDataParts = {
  reply: ReplyParts;
  agent: { author: string; createdAt: string };
  notice: { kind: 'joined'; at: string };
};

export type ChatMessage = UIMessage<ChatMetadata, ChatDataParts>;

export function messageText(message: ChatMessage): string {
  return message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** Each bot reply's id → the text of the customer's message it answers (what its explanation is about). */
export function questionsByReply(messages: readonly ChatMessage[]): Map<string, string> {
  const questions = new Map<string, string>();
  let question: string | null = null;
  for (const message of messages) {
    if (message.role === 'user') question = messageText(message);
    else if (question !== null) questions.set(message.id, question);
  }
  return questions;
}

export function replyPartsOf(message: ChatMessage): ReplyParts | null {
  for (const part of message.parts) if (part.type === 'data-reply') return part.data;
  return null;
}

export function agentPartOf(message: ChatMessage): ChatDataParts['agent'] | null {
  for (const part of message.parts) if (part.type === 'data-agent') return part.data;
  return null;
}

export function noticePartOf(message: ChatMessage): ChatDataParts['notice'] | null {
  for (const part of message.parts) if (part.type === 'data-notice') return part.data;
  return null;
}

/** True for the visitor's messages and the bot's replies: the turns stored with a `seq`. */
export function isTurnMessage(message: ChatMessage): boolean {
  return !agentPartOf(message) && !noticePartOf(message);
}

/** A message from the team as the chat shows it: text only (the bubble renders it as text, never as HTML). */
export function agentChatMessage(message: AgentMessage): ChatMessage {
  return {
    id: message.id,
    role: 'assistant',
    metadata: { createdAt: message.createdAt },
    parts: [
      { type: 'data-agent', data: { author: message.author.displayName, createdAt: message.createdAt } },
      { type: 'text', text: message.text },
    ],
  };
}

const joinedNoticeId = (claimedAt: string) => `joined-${claimedAt}`;

/**
 * The conversation with what the team did added: their messages not shown yet, and "A person
 * from the team has joined" once per claim, placed by the server's clock among the restored
 * messages (after the messages of this page, which came later). Returns `messages` itself when
 * nothing is new, so a caller can skip the update.
 */
export function withTeamUpdates(
  messages: ChatMessage[],
  update: { agentMessages: readonly AgentMessage[]; claimedAt: string | null },
  joinedText: string,
): ChatMessage[] {
  const shown = new Set(messages.map((message) => message.id));
  let result = messages;
  if (update.claimedAt !== null && !shown.has(joinedNoticeId(update.claimedAt))) {
    const notice: ChatMessage = {
      id: joinedNoticeId(update.claimedAt),
      role: 'assistant',
      metadata: { createdAt: update.claimedAt },
      parts: [
        { type: 'data-notice', data: { kind: 'joined', at: update.claimedAt } },
        { type: 'text', text: joinedText },
      ],
    };
    result = insertByTime(result, notice, update.claimedAt);
  }
  for (const agent of update.agentMessages) {
    if (shown.has(agent.id)) continue;
    result = insertByTime(result, agentChatMessage(agent), agent.createdAt);
  }
  return result;
}

/**
 * Inserts before the first restored message stored later than `at`. Messages of this page have
 * no server time and are newer than anything restored, so a new message never goes before them.
 */
function insertByTime(messages: ChatMessage[], message: ChatMessage, at: string): ChatMessage[] {
  const lastOfPage = messages.findLastIndex((m) => m.metadata?.createdAt === undefined);
  const index = messages.findIndex((m, i) => i > lastOfPage && m.metadata?.createdAt !== undefined && m.metadata.createdAt > at);
  if (index < 0) return [...messages, message];
  return [...messages.slice(0, index), message, ...messages.slice(index)];
}

/** A stored conversation, as messages the chat can show and continue (the session keeps their explanations). */
export function toChatMessages(conversation: RestoredConversation): ChatMessage[] {
  return conversation.messages.map((message) => {
    if (message.role === 'user') {
      return {
        id: message.id,
        role: 'user',
        metadata: { seq: message.seq, userParts: (message.parts as UserParts | null) ?? { kind: 'typed' }, createdAt: message.createdAt },
        parts: [{ type: 'text', text: message.text }],
      };
    }
    const reply = message.parts as ReplyParts | null;
    return {
      id: message.id,
      role: 'assistant',
      metadata: { seq: message.seq, prediction: message.prediction ?? undefined, feedback: message.feedback, createdAt: message.createdAt },
      parts: [
        ...(reply ? [{ type: 'data-reply' as const, data: reply }] : []),
        { type: 'text' as const, text: message.text },
      ],
    };
  });
}
