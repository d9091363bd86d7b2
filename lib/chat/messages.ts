import type { UIMessage } from 'ai';
import type { PredictionRecord, ReplyParts, RestoredConversation, UserParts } from '@/lib/records/turn';

/** Per-message facts the chat shows and stores. */
export type ChatMetadata = {
  seq?: number;
  /** For user messages: how it was sent (typed, quick reply, "Did you mean" choice…). */
  userParts?: UserParts;
  /** For bot replies: the prediction behind the reply, if the model made one. */
  prediction?: PredictionRecord;
  feedback?: { helpful: boolean; comment: string | null } | null;
};

/** A reply's explanations are not a part: the session holds them (lib/chat/session.ts). */
export type ChatDataParts = { reply: ReplyParts };

export type ChatMessage = UIMessage<ChatMetadata, ChatDataParts>;

export function messageText(message: ChatMessage): string {
  return message.parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

export function replyPartsOf(message: ChatMessage): ReplyParts | null {
  for (const part of message.parts) if (part.type === 'data-reply') return part.data;
  return null;
}

/** A stored conversation, as messages the chat can show and continue (the session keeps their explanations). */
export function toChatMessages(conversation: RestoredConversation): ChatMessage[] {
  return conversation.messages.map((message) => {
    if (message.role === 'user') {
      return {
        id: message.id,
        role: 'user',
        metadata: { seq: message.seq, userParts: (message.parts as UserParts | null) ?? { kind: 'typed' } },
        parts: [{ type: 'text', text: message.text }],
      };
    }
    const reply = message.parts as ReplyParts | null;
    return {
      id: message.id,
      role: 'assistant',
      metadata: { seq: message.seq, prediction: message.prediction ?? undefined, feedback: message.feedback },
      parts: [
        ...(reply ? [{ type: 'data-reply' as const, data: reply }] : []),
        { type: 'text' as const, text: message.text },
      ],
    };
  });
}
