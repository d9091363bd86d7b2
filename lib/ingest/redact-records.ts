import { redact, type RedactionOptions } from '@/lib/bot/redact';
import type { FeedbackRecord, TurnRecord } from '@/lib/records/turn';
import { EXPLANATION_STRING_FIELDS } from './fit-explanation';

/**
 * Every free-text field of a turn with personal data masked: the visitor's message, the reply
 * and its quick-reply and option labels (the bot writes them, but the browser posts them), and
 * the model version the browser names, unless `keepModelVersion` says it is one of the bot's
 * stored versions (a content hash is an id, and its hex digits can look like a phone number).
 * Everything else in a turn is an id, a number, an enum or an intent label checked against the
 * bot's model (see `RECORD_STRING_FIELDS`).
 */
export function redactTurn(turn: TurnRecord, { keepModelVersion = false, ...options }: RedactionOptions & { keepModelVersion?: boolean } = {}): TurnRecord {
  const clean = (text: string) => redact(text, options).text;
  const { user, reply, prediction } = turn;
  const parts = reply.parts;
  return {
    ...turn,
    user: { ...user, text: clean(user.text) },
    reply: {
      ...reply,
      text: clean(reply.text),
      parts: {
        ...parts,
        ...(parts.quickReplies ? { quickReplies: parts.quickReplies.map((quick) => ({ ...quick, text: clean(quick.text) })) } : {}),
        ...(parts.options ? { options: parts.options.map((option) => ({ ...option, label: clean(option.label) })) } : {}),
      },
    },
    ...(prediction ? { prediction: { ...prediction, modelVersion: keepModelVersion ? prediction.modelVersion : clean(prediction.modelVersion) } } : {}),
  };
}

/** A visitor's feedback with personal data masked in the comment. */
export function redactFeedback(feedback: FeedbackRecord, options?: RedactionOptions): FeedbackRecord {
  return feedback.comment ? { ...feedback, comment: redact(feedback.comment, options).text } : feedback;
}

/**
 * How each string field of the record schemas is made safe to store, by its path (array
 * indices as `[]`). `tests/unit/redact-records.test.ts` walks the zod schemas and fails on a
 * string path missing here, so a new free-text field cannot reach the database unnoticed.
 * - `redacted`: masked by `redact` (default config) before storage;
 * - `derived`: replaced by the server with what it computes from the stored message;
 * - `label`: must be one of the named bot's model labels (or a known model version/bot);
 * - `checked`: must equal a known value (a question of the bot's similar-questions index);
 * - `id`, `enum`: a UUID, a fixed set of values.
 */
export const RECORD_STRING_FIELDS = {
  turn: {
    conversationId: 'id',
    botId: 'label',
    'user.id': 'id',
    'user.text': 'redacted',
    'user.parts.kind': 'enum',
    'user.parts.chosenIntent': 'label',
    'user.parts.resolvesPrediction': 'id',
    'reply.id': 'id',
    'reply.text': 'redacted',
    'reply.parts.kind': 'enum',
    'reply.parts.intent': 'label',
    'reply.parts.quickReplies[].text': 'redacted',
    'reply.parts.quickReplies[].intent': 'label',
    'reply.parts.options[].intent': 'label',
    'reply.parts.options[].label': 'redacted',
    'reply.parts.handoffReason': 'enum',
    'prediction.id': 'id',
    'prediction.modelId': 'label',
    // Redacted unless it names a stored version of the bot (an id then); a version the store
    // does not have is never verified (lib/verify).
    'prediction.modelVersion': 'redacted',
    'prediction.intent': 'label',
    'prediction.topK[].intent': 'label',
    'prediction.decision': 'enum',
    'prediction.backend': 'enum',
  },
  feedback: { id: 'id', comment: 'redacted' },
  explanation: EXPLANATION_STRING_FIELDS,
} as const satisfies Record<string, Record<string, 'redacted' | 'derived' | 'label' | 'checked' | 'id' | 'enum'>>;
