import type { ChatTransport, UIMessageChunk } from 'ai';
import type { BotContent } from '@/lib/bot/answers';
import { answerClassified, answerFor, handoffConfirmation, withAgentNote, type Reply } from '@/lib/bot/reply';
import type { InferenceClient, ReadyEvent } from './inference-client';
import { isTurnMessage, messageText, replyPartsOf, type ChatMessage } from './messages';
import type { PredictionRecord, ReplyParts, TurnRecord, UserParts } from '@/lib/records/turn';

type Options = {
  conversationId: () => string;
  content: BotContent;
  inference: Pick<InferenceClient, 'classify'>;
  model: () => ReadyEvent | null;
  /** Awaited before a message is classified, and before the model is read (the chat moves to the version the bot serves now). */
  beforeClassifying?: () => Promise<void>;
  /** Called once per turn with the record to store. */
  onTurn: (turn: TurnRecord) => void;
  /** True while a person of the team holds the conversation: the bot does not answer then. */
  withAgent?: () => boolean;
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
    const previous = messages.findLast((message) => message.role === 'assistant' && isTurnMessage(message));
    const { reply, prediction } = await this.answer(text, userParts, previous ? replyPartsOf(previous) : null);
    abortSignal?.throwIfAborted();

    const replyId = crypto.randomUUID();
    // The team's messages and notices live outside the turns' numbering.
    const seq = messages.filter(isTurnMessage).length - 1;
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

  private async answer(text: string, userParts: UserParts, previous: ReplyParts | null): Promise<{ reply: Reply; prediction?: PredictionRecord }> {
    const { content, inference, model } = this.options;
    const withAgent = this.options.withAgent?.() ?? false;
    // The visitor chose the answer: no model decision to make.
    if (userParts.kind === 'clarification' && userParts.chosenIntent) return { reply: withAgent ? withAgentNote(content) : answerFor(content, userParts.chosenIntent, model()?.model.labels) };
    if (userParts.kind === 'handoff-request') return { reply: withAgent ? withAgentNote(content) : handoffConfirmation(content) };

    await this.options.beforeClassifying?.();
    const ready = model();
    if (!ready) throw new Error('The model is not ready yet.');
    const { probabilities, latencyMs } = await inference.classify(text);
    const { reply, prediction } = answerClassified(content, ready.model, { text, probabilities }, { id: crypto.randomUUID(), backend: ready.backend, latencyMs }, previous);
    // Still classified and stored with its prediction (the team sees what the model made of it), but a person answers.
    return { reply: withAgent ? withAgentNote(content) : reply, prediction };
  }
}
