'use client';

import { memo, useCallback, useId, useState, useSyncExternalStore } from 'react';
import { agentPartOf, messageText, noticePartOf, replyPartsOf, type ChatMessage } from '@/lib/chat/messages';
import type { ReplyExplanations } from '@/lib/chat/session';
import { useReplyContrasts } from '@/lib/ui/explain/contrast-view';
import { WhyPanel, WhyToggle } from '@/lib/ui/explain/why-panel';
import { VisitorText } from '@/lib/ui/text';
import { UnreadableNote } from '@/lib/ui/unreadable-note';

type Props = {
  message: ChatMessage;
  /** For a bot reply: the customer's message it answers, which its panel draws word by word. */
  question?: string;
  botName: string;
  handoffOffer: string;
  /** True when nothing can be sent (the assistant could not start). Earlier replies' buttons stay usable. */
  disabled: boolean;
  /** A person of the team holds the conversation: asking for one again would change nothing, so that button is off. */
  withAgent: boolean;
  onQuickReply(text: string): void;
  onChoose(intent: string, label: string, predictionId: string | undefined): void;
  onHandoff(): void;
  onFeedback(messageId: string, helpful: boolean, comment?: string): void;
  /** Each reply's explanation: read here, asked for when the panel opens. */
  explanations: ReplyExplanations;
  labelOf(intent: string): string;
  /** The bot's language (BCP 47, from its model card). */
  language: string;
};

const chip =
  'rounded-full border border-brand-600 px-3 py-1 text-sm text-brand-700 hover:bg-brand-50 disabled:border-slate-300 disabled:text-slate-400';

/**
 * One message. Memoised: a conversation re-renders on every reply and explanation, and each
 * earlier reply may hold an open "Why this answer?" panel; only the bubbles whose props
 * changed render again (the chat passes stable callbacks).
 */
export const MessageBubble = memo(function MessageBubble(props: Props) {
  const { message, botName, handoffOffer, disabled, withAgent, onQuickReply, onChoose, onHandoff, onFeedback } = props;
  const text = messageText(message);
  if (message.role === 'user') {
    return (
      <div data-testid="message" data-role="user" className="flex justify-end">
        <p className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl rounded-br-sm bg-brand-600 px-4 py-2 text-white">
          <span className="sr-only">You said: </span>
          <VisitorText text={text} />
        </p>
      </div>
    );
  }

  const agent = agentPartOf(message);
  if (agent) return <AgentBubble text={text} author={agent.author} />;
  if (noticePartOf(message)) {
    return (
      <p className="flex justify-center py-1">
        <span data-testid="handoff-joined" className="max-w-[85%] rounded-2xl bg-emerald-50 px-3 py-1 text-center text-sm text-emerald-900 ring-1 ring-emerald-200">
          {text}
        </span>
      </p>
    );
  }

  const reply = replyPartsOf(message);
  if (reply?.kind === 'with-agent') {
    // A delivery note, not an answer: a person of the team replies.
    return (
      <p data-testid="message" data-role="assistant" data-kind="with-agent" className="-mt-2 flex justify-end text-xs text-slate-500">
        <span className="sr-only">Delivery: </span>
        <svg aria-hidden="true" viewBox="0 0 16 16" width="14" height="14" className="mr-1 inline" fill="none" stroke="currentColor" strokeWidth="2">
          <path d="M3 8.5l3 3 7-7" />
        </svg>
        {text}
      </p>
    );
  }
  const prediction = message.metadata?.prediction;
  const actionable = !disabled;
  return (
    <div
      data-testid="message"
      data-role="assistant"
      data-kind={reply?.kind}
      data-reason={reply?.handoffReason}
      data-intent={prediction?.intent ?? reply?.intent}
      className="flex w-full min-w-0 flex-col items-start gap-2"
    >
      <p className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl rounded-bl-sm bg-slate-100 px-4 py-2 text-slate-900">
        <span className="sr-only">{botName} said: </span>
        {text}
      </p>

      {reply?.kind === 'clarify' && reply.options && (
        <div role="group" aria-label="Did you mean" className="flex flex-wrap gap-2" data-testid="clarify-options">
          {reply.options.map((option) => (
            <button
              key={option.intent}
              type="button"
              className={chip}
              disabled={!actionable}
              data-intent={option.intent}
              onClick={() => onChoose(option.intent, option.label, prediction?.id)}
            >
              {option.label}
            </button>
          ))}
          <button type="button" className={chip} disabled={!actionable || withAgent} onClick={onHandoff} data-testid="handoff-button">
            None of these: {handoffOffer.toLowerCase()}
          </button>
        </div>
      )}

      {reply?.kind === 'handoff' && (
        <button type="button" className={chip} disabled={!actionable || withAgent} onClick={onHandoff} data-testid="handoff-button">
          {handoffOffer}
        </button>
      )}

      {reply?.kind === 'answer' && reply.quickReplies && reply.quickReplies.length > 0 && (
        <div role="group" aria-label="Suggested questions" className="flex flex-wrap gap-2" data-testid="quick-replies">
          {reply.quickReplies.map((quick) => (
            <button key={quick.text} type="button" className={chip} disabled={!actionable} onClick={() => onQuickReply(quick.text)}>
              {quick.text}
            </button>
          ))}
        </div>
      )}

      {reply && reply.kind !== 'handoff-requested' && (
        <div className="flex w-full min-w-0 flex-wrap items-center gap-x-3 gap-y-1">
          {prediction && <Why {...props} />}
          <Feedback message={message} onFeedback={onFeedback} />
        </div>
      )}
    </div>
  );
});

/** A person of the team: their words as plain text (React escapes it; never HTML), set apart from the bot's. */
function AgentBubble({ text, author }: { text: string; author: string }) {
  const name = author.trim() || 'The team';
  return (
    <div data-testid="message" data-role="agent" className="flex w-full min-w-0 flex-col items-start gap-1">
      <p className="flex items-center gap-2 text-xs font-medium text-emerald-900">
        <span aria-hidden="true" className="grid h-5 w-5 place-items-center rounded-full bg-emerald-700 text-[0.65rem] font-semibold text-white uppercase">
          {Array.from(name)[0]}
        </span>
        <span data-testid="agent-name">
          <VisitorText text={name} />
        </span>
        <span className="-ml-1 font-normal text-emerald-800">from the team</span>
      </p>
      <p className="max-w-[85%] rounded-2xl rounded-tl-sm border border-emerald-200 bg-emerald-50 px-4 py-2 break-words whitespace-pre-wrap text-slate-900" data-testid="agent-text">
        <span className="sr-only">{name} from the team said: </span>
        <VisitorText text={text} />
      </p>
    </div>
  );
}

const NONE: readonly never[] = [];

/**
 * "Why this answer?": the evidence behind the model's decision, computed in the browser. For a
 * message the model could not read, the plain reason instead (nothing is computed for it).
 */
function Why({ message, question, explanations, labelOf, language }: Props) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const prediction = message.metadata!.prediction!;
  const stateOf = useCallback(() => explanations.explanationOf(message.id), [explanations, message.id]);
  const state = useSyncExternalStore(explanations.subscribe, stateOf, stateOf);
  const contrast = useReplyContrasts(explanations, message.id);
  const unreadable = prediction.decision === 'unreadable';
  return (
    <>
      <WhyToggle
        expanded={open}
        controls={panelId}
        onToggle={() => {
          // Already explained, or under way, the session keeps it; otherwise it starts now.
          if (!open && !unreadable) explanations.explain(message.id);
          setOpen(!open);
        }}
      />
      {open && unreadable && (
        <div className="min-w-0 basis-full">
          <UnreadableNote id={panelId} language={language} />
        </div>
      )}
      {open && !unreadable && (
        <div className="min-w-0 basis-full">
          <WhyPanel
            id={panelId}
            text={question}
            explanations={state?.status === 'ready' ? state.explanations : NONE}
            prediction={{ intent: prediction.intent, confidence: prediction.confidence, topK: prediction.topK }}
            labelOf={labelOf}
            status={state?.status ?? 'computing'}
            progress={state?.status === 'computing' ? (state.progress ?? undefined) : undefined}
            error={state?.status === 'failed' ? state.error : undefined}
            contrast={contrast}
          />
        </div>
      )}
    </>
  );
}

function Feedback({ message, onFeedback }: { message: ChatMessage; onFeedback: Props['onFeedback'] }) {
  const given = message.metadata?.feedback ?? null;
  const [commenting, setCommenting] = useState(false);
  const [comment, setComment] = useState('');
  const commentId = useId();

  function rate(helpful: boolean) {
    onFeedback(message.id, helpful);
    setCommenting(!helpful);
  }

  return (
    <div className="flex flex-col gap-1 text-xs text-slate-600" data-testid="feedback">
      <div role="group" aria-label="Was this answer helpful?" className="flex items-center gap-1">
        <span aria-hidden="true">Helpful?</span>
        <button
          type="button"
          aria-pressed={given?.helpful === true}
          aria-label="Yes, helpful"
          data-testid="feedback-up"
          onClick={() => rate(true)}
          className="rounded-md px-2 py-1 hover:bg-slate-100 aria-pressed:bg-emerald-100 aria-pressed:text-emerald-900"
        >
          <ThumbIcon up />
        </button>
        <button
          type="button"
          aria-pressed={given?.helpful === false}
          aria-label="No, not helpful"
          data-testid="feedback-down"
          onClick={() => rate(false)}
          className="rounded-md px-2 py-1 hover:bg-slate-100 aria-pressed:bg-amber-100 aria-pressed:text-amber-900"
        >
          <ThumbIcon up={false} />
        </button>
        {given && !commenting && <span role="status">Thanks for telling us.</span>}
      </div>
      {commenting && (
        <form
          className="flex items-center gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            onFeedback(message.id, false, comment.trim() || undefined);
            setCommenting(false);
          }}
        >
          <label htmlFor={commentId} className="sr-only">
            What was wrong with this answer? (optional)
          </label>
          <input
            id={commentId}
            data-testid="feedback-comment"
            value={comment}
            maxLength={1000}
            onChange={(event) => setComment(event.target.value)}
            placeholder="What was wrong? (optional)"
            className="w-56 min-w-0 max-w-full rounded-md border border-slate-300 px-2 py-1"
          />
          <button type="submit" className="rounded-md bg-slate-800 px-2 py-1 text-white" data-testid="feedback-send">
            Send
          </button>
        </form>
      )}
    </div>
  );
}

/** Drawn, not an emoji: it looks the same whatever fonts the device has. */
function ThumbIcon({ up }: { up: boolean }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16" fill="currentColor" style={up ? undefined : { transform: 'rotate(180deg)' }}>
      <path d="M2 9h3v9H2zM7 18h7.6a2 2 0 0 0 2-1.6l1.3-6A2 2 0 0 0 16 8h-4.2l.7-3.3A1.8 1.8 0 0 0 10.7 2.5L7 8.5z" />
    </svg>
  );
}
