import type { UIMessageChunk } from 'ai';
import type { ChatMessage } from '@/lib/chat/messages';
import type { ChatSession } from '@/lib/chat/session';
import type { PredictionRecord } from '@/lib/records/turn';

/** What each session's chat has shown so far, as useChat keeps it. */
const histories = new WeakMap<ChatSession, ChatMessage[]>();

/** Sends a typed message through the session's transport, as useChat does; returns the reply's id and the prediction stored with it. */
export async function askTyped(session: ChatSession, text: string): Promise<{ replyId: string; prediction: PredictionRecord }> {
  const messages = histories.get(session) ?? [];
  const user: ChatMessage = { id: crypto.randomUUID(), role: 'user', metadata: { userParts: { kind: 'typed' } }, parts: [{ type: 'text', text }] };
  const stream = await session.transport.sendMessages({ trigger: 'submit-message', chatId: 'chat', messageId: undefined, messages: [...messages, user], abortSignal: undefined });
  const chunks: UIMessageChunk[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<UIMessageChunk>) chunks.push(chunk);
  const start = chunks.find((chunk) => chunk.type === 'start') as Extract<UIMessageChunk, { type: 'start' }>;
  const prediction = (start.messageMetadata as ChatMessage['metadata'])!.prediction!;
  histories.set(session, [...messages, user, { id: start.messageId!, role: 'assistant', parts: [] }]);
  return { replyId: start.messageId!, prediction };
}

/** Adds a message the chat shows that the transport did not send (an agent's reply). */
export function showInChat(session: ChatSession, message: ChatMessage): void {
  histories.set(session, [...(histories.get(session) ?? []), message]);
}
