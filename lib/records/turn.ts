import { z } from 'zod';
import { MAX_MESSAGE_CHARS } from '@/lib/explain/common';
import type { ExplanationRecord } from './explanation';
import { labelField, probabilityField, uuidField } from './fields';
/**
 * What the browser posts to the server after each turn. Shared by the client (which builds
 * records) and the API (which validates them); ids are generated in the browser, so a
 * retried post is recognised and never stored twice.
 */
export const MAX_MESSAGE_LENGTH = MAX_MESSAGE_CHARS;
export const MAX_TURN_BYTES = 64 * 1024;

const id = uuidField;
const text = z.string().trim().min(1, { message: 'must not be empty' }).max(MAX_MESSAGE_LENGTH);
const label = labelField;
const probability = probabilityField;

export const quickReplySchema = z.object({ text: z.string().min(1).max(200), intent: label.optional() });

/**
 * Why a reply hands off: the policy's reasons, the customer's request, and `model_unavailable`
 * (the model could not run; the stored hand-off counts it as `unsure`).
 */
export const REPLY_HANDOFF_REASONS = ['out_of_scope', 'unsure', 'requested', 'unreadable', 'repeated', 'model_unavailable'] as const;

/**
 * Structured content of a bot reply, rendered by the chat and stored with the message.
 * `with-agent`: a person holds the conversation, so the bot stays quiet and the reply is only a
 * delivery note ("Sent to the team.").
 */
export const replyPartsSchema = z.object({
  kind: z.enum(['answer', 'clarify', 'handoff', 'handoff-requested', 'with-agent', 'error']),
  intent: label.optional(),
  quickReplies: z.array(quickReplySchema).max(5).optional(),
  options: z.array(z.object({ intent: label, label: z.string().min(1).max(100), probability })).max(5).optional(),
  handoffReason: z.enum(REPLY_HANDOFF_REASONS).optional(),
});
export type ReplyParts = z.infer<typeof replyPartsSchema>;

/** What a user message is, beyond its text: typed, chosen from "Did you mean", a quick reply… */
export const userPartsSchema = z.object({
  kind: z.enum(['typed', 'quick-reply', 'clarification', 'handoff-request']),
  /** For a clarification: the intent the user picked and the prediction it resolves. */
  chosenIntent: label.optional(),
  resolvesPrediction: id.optional(),
});
export type UserParts = z.infer<typeof userPartsSchema>;

/**
 * The dialogue policy's decisions (lib/bot/policy.ts): `unreadable` is a message in characters
 * the model never saw in training, which it does not pretend to classify.
 */
export const DECISIONS = ['answer', 'clarify', 'handoff', 'unreadable'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

export const predictionRecordSchema = z.object({
  id,
  modelId: z.string().min(1).max(100),
  modelVersion: z.string().min(1).max(100),
  intent: label,
  confidence: probability,
  topK: z.array(z.object({ intent: label, probability })).min(1).max(10),
  decision: z.enum(DECISIONS),
  backend: z.enum(['webgpu', 'wasm', 'cpu']),
  latencyMs: z.number().min(0).max(600_000),
});
export type PredictionRecord = z.infer<typeof predictionRecordSchema>;

export const turnRecordSchema = z
  .object({
    conversationId: id,
    botId: z.string().min(1).max(50).regex(/^[\w-]+$/),
    user: z.object({ id, seq: z.number().int().min(0).max(100_000), text, parts: userPartsSchema }),
    reply: z.object({ id, seq: z.number().int().min(1).max(100_001), text: z.string().min(1).max(4000), parts: replyPartsSchema }),
    /** The model's decision on the user's message; absent when the user chose the answer (clarification, hand-off request). */
    prediction: predictionRecordSchema.optional(),
  })
  .refine((turn) => turn.reply.seq === turn.user.seq + 1, { message: 'the reply must directly follow the user message', path: ['reply', 'seq'] })
  .refine((turn) => turn.user.id !== turn.reply.id, { message: 'user and reply need different ids', path: ['reply', 'id'] });
export type TurnRecord = z.infer<typeof turnRecordSchema>;

/** A batch post carries up to this many turns (an outbox that was offline, a bulk import). */
export const MAX_TURNS_PER_BATCH = 50;
/** A valid turn serialises to well under 40 KiB even with every text escaped, so fifty fit. */
export const MAX_TURN_BATCH_BYTES = 2 * 1024 * 1024;

/**
 * `POST /api/turns` with `{ "turns": [ … ] }`: each turn is validated and stored on its own, and
 * the answer has one outcome per turn in the posted order (`TurnBatchAnswer`).
 */
export const turnBatchSchema = z
  .object({
    turns: z.array(z.unknown()).max(MAX_TURNS_PER_BATCH),
    /** Predictions' explanations, stored after the batch's turns, so a turn and its explanations can travel together. */
    explanations: z.array(z.unknown()).max(MAX_TURNS_PER_BATCH).optional(),
  })
  .refine((batch) => batch.turns.length + (batch.explanations?.length ?? 0) > 0, { message: 'a batch carries at least one record', path: ['turns'] });

/** What became of one turn of a batch: refused ones carry the status and error a single post would have got. */
export type TurnOutcome =
  | { outcome: 'stored' | 'duplicate' }
  | { outcome: 'refused'; status: number; error: { code: string; message: string; details?: unknown } };
/** What became of one prediction's explanations in a batch: as a single post's answer, or refused. */
export type ExplanationsBatchOutcome =
  | { outcome: 'stored' | 'duplicate'; stored: number; duplicates: number }
  | Extract<TurnOutcome, { outcome: 'refused' }>;
export type TurnBatchAnswer = { outcomes: TurnOutcome[]; explanationOutcomes?: ExplanationsBatchOutcome[] };

/** True for a body posted as a batch of turns (a single turn has no `turns` key). */
export function isTurnBatch(body: unknown): body is { turns: unknown } {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'turns' in body;
}

export const feedbackSchema = z.object({
  id,
  helpful: z.boolean(),
  comment: z.string().trim().max(1000).optional(),
});
export type FeedbackRecord = z.infer<typeof feedbackSchema>;

/** A stored conversation as the chat restores it. */
export type RestoredMessage = {
  id: string;
  seq: number;
  role: 'user' | 'assistant';
  text: string;
  parts: ReplyParts | UserParts | null;
  prediction: (Omit<PredictionRecord, 'topK'> & { topK: PredictionRecord['topK'] }) | null;
  feedback: { helpful: boolean; comment: string | null } | null;
  /** For bot replies: the explanations stored for the prediction, as the panel rendered them. */
  explanations?: ExplanationRecord[];
  createdAt: string;
};
export type RestoredConversation = { id: string; botId: string; messages: RestoredMessage[] };
