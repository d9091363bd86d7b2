import type { ChatTransport, UIMessageChunk } from 'ai';
import type { BotContent } from '@/lib/bot/answers';
import { answerClassified, answerFor, handoffConfirmation, type Reply } from '@/lib/bot/reply';
import type { InferenceClient, ReadyEvent } from './inference-client';
import { messageText, type ChatMessage } from './messages';
import type { PredictionRecord, TurnRecord, UserParts } from '@/lib/records/turn';

type Options = {
  conversationId: () => string;
  content: BotContent;
  inference: Pick<InferenceClient, 'classify'>;
  model: () => ReadyEvent | null;
  /** Called once per turn with the record to store. */
  onTurn: (turn: TurnRecord) => void;
};

/**
 * useChat's transport: the reply is computed in the browser (inference worker + dialogue
 * policy), so no message goes to a server to be answered. The reply streams into the chat
 * at once; the turn record is handed on for storage afterwards.
 */
export class InBrowserTransport implements ChatTransport<ChatMessage> {
  constructor(private readonly options: Options) {}

  async sendMessages({ messages, abortSignal }: Parameters<ChatTransport<ChatMessage>['sendMessages']>[0]): Promise<ReadableStream<UIMessageChunk>> {
    const user = messages.at(-1);
    if (!user || user.role !== 'user') throw new Error('The last message must be the visitor’s.');
    const userParts: UserParts = user.metadata?.userParts ?? { kind: 'typed' };
    const text = messageText(user);
    const { reply, prediction } = await this.answer(text, userParts);
    abortSignal?.throwIfAborted();

    const replyId = crypto.randomUUID();
    const seq = messages.length - 1;
    this.options.onTurn({
      conversationId: this.options.conversationId(),
      botId: this.options.content.bot,
      user: { id: user.id, seq, text, parts: userParts },
      reply: { id: replyId, seq: seq + 1, text: reply.text, parts: reply.parts },
      prediction,
    });

    const chunks: UIMessageChunk[] = [
      { type: 'start', messageId: replyId, messageMetadata: { seq: seq + 1, prediction } },
      { type: 'data-reply', id: `${replyId}-reply`, data: reply.parts },
      { type: 'text-start', id: `${replyId}-text` },
      { type: 'text-delta', id: `${replyId}-text`, delta: reply.text },
      { type: 'text-end', id: `${replyId}-text` },
      { type: 'finish' },
    ];
    return new ReadableStream<UIMessageChunk>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
  }

  async reconnectToStream(): Promise<ReadableStream<UIMessageChunk> | null> {
    return null; // Replies are produced locally and whole: there is never a stream to resume.
  }

  private async answer(text: string, userParts: UserParts): Promise<{ reply: Reply; prediction?: PredictionRecord }> {
    const { content, inference, model } = this.options;
    // The visitor chose the answer: no model decision to make.
    if (userParts.kind === 'clarification' && userParts.chosenIntent) return { reply: answerFor(content, userParts.chosenIntent) };
    if (userParts.kind === 'handoff-request') return { reply: handoffConfirmation(content) };

    const ready = model();
    if (!ready) throw new Error('The model is not ready yet.');
    const { probabilities, latencyMs } = await inference.classify(text);
    const { reply, prediction } = answerClassified(content, ready.model, probabilities, { id: crypto.randomUUID(), backend: ready.backend, latencyMs });
    return { reply, prediction };
  }
}
