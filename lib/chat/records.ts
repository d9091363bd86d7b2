import { z } from 'zod';
import { attentionExtraSchema, attentionSettingsSchema } from '@/lib/explain/attention';
import { MAX_MESSAGE_CHARS, MAX_WORDS } from '@/lib/explain/common';
import { counterfactualExtraSchema, counterfactualSettingsSchema } from '@/lib/explain/counterfactual';
import { limeExtraSchema, limeSettingsSchema } from '@/lib/explain/lime';
import { occlusionExtraSchema, occlusionSettingsSchema } from '@/lib/explain/occlusion';
import { rolloutExtraSchema, rolloutSettingsSchema } from '@/lib/explain/rollout';
import { similarExtraSchema, similarSettingsSchema } from '@/lib/explain/similar';

/**
 * What the browser posts to the server after each turn. Shared by the client (which builds
 * records) and the API (which validates them); ids are generated in the browser, so a
 * retried post is recognised and never stored twice.
 */
export const MAX_MESSAGE_LENGTH = MAX_MESSAGE_CHARS;
export const MAX_TURN_BYTES = 64 * 1024;

const id = z.uuid({ message: 'must be a UUID' });
const text = z.string().trim().min(1, { message: 'must not be empty' }).max(MAX_MESSAGE_LENGTH);
const label = z.string().min(1).max(100).regex(/^[\w.?-]+$/, { message: 'must be an intent name' });
const probability = z.number().min(0).max(1);

export const quickReplySchema = z.object({ text: z.string().min(1).max(200), intent: label.optional() });

/** Structured content of a bot reply, rendered by the chat and stored with the message. */
export const replyPartsSchema = z.object({
  kind: z.enum(['answer', 'clarify', 'handoff', 'handoff-requested', 'error']),
  intent: label.optional(),
  quickReplies: z.array(quickReplySchema).max(5).optional(),
  options: z.array(z.object({ intent: label, label: z.string().min(1).max(100), probability })).max(5).optional(),
  handoffReason: z.enum(['out_of_scope', 'unsure', 'requested', 'model_unavailable']).optional(),
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

export const predictionRecordSchema = z.object({
  id,
  modelId: z.string().min(1).max(100),
  modelVersion: z.string().min(1).max(100),
  intent: label,
  confidence: probability,
  topK: z.array(z.object({ intent: label, probability })).min(1).max(10),
  decision: z.enum(['answer', 'clarify', 'handoff']),
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

export const MAX_EXPLANATIONS_BYTES = 1024 * 1024;

const finite = z.number().finite();
/** A word of the message. On ingest the server recomputes the words from the stored message, and a posted word must fit them. */
const wordSpan = z.object({
  text: z.string().max(MAX_MESSAGE_LENGTH),
  start: z.number().int().min(0).max(MAX_MESSAGE_LENGTH),
  end: z.number().int().min(0).max(MAX_MESSAGE_LENGTH),
});
/** The k levels of lib/explain/faithfulness.ts `faithfulnessLevels`. */
const faithfulnessLevel = z.object({ k: z.enum(['1', '2', '3', '20%']), value: finite });
const faithfulnessSchema = z.object({
  comprehensiveness: z.array(faithfulnessLevel).max(10),
  sufficiency: z.array(faithfulnessLevel).max(10),
  meanComprehensiveness: finite,
  meanSufficiency: finite,
  deletionAuc: finite,
});

/** Each method's `settings` and `extra` schemas, exported beside its explainer (lib/explain/<method>.ts). */
export const EXPLANATION_METHOD_SCHEMAS = {
  attention: { settings: attentionSettingsSchema, extra: attentionExtraSchema },
  rollout: { settings: rolloutSettingsSchema, extra: rolloutExtraSchema },
  lime: { settings: limeSettingsSchema, extra: limeExtraSchema },
  occlusion: { settings: occlusionSettingsSchema, extra: occlusionExtraSchema },
  counterfactual: { settings: counterfactualSettingsSchema, extra: counterfactualExtraSchema },
  similar: { settings: similarSettingsSchema, extra: similarExtraSchema },
} as const;

const explanationFields = {
  version: z.literal(1),
  target: z.object({ index: z.number().int().min(0).max(10_000), label, probability }),
  words: z.array(wordSpan).max(MAX_WORDS),
  scores: z.array(finite).max(MAX_WORDS).nullable(),
  faithfulness: faithfulnessSchema.optional(),
  timing: z.object({ ms: finite.min(0), forwardPasses: z.number().int().min(0) }),
};

const methodExplanation = <M extends keyof typeof EXPLANATION_METHOD_SCHEMAS>(method: M) =>
  z.object({ method: z.literal(method), ...explanationFields, ...EXPLANATION_METHOD_SCHEMAS[method] });

/**
 * One explainer's output as the panel rendered it (lib/explain/types.ts `Explanation`), with its
 * method's `settings` and `extra` schema. What is stored is what this gives (unknown keys
 * dropped), after the server has fitted it to the stored message (lib/chat/redact-records.ts).
 */
export const explanationSchema = z
  .discriminatedUnion('method', [
    methodExplanation('attention'),
    methodExplanation('rollout'),
    methodExplanation('lime'),
    methodExplanation('occlusion'),
    methodExplanation('counterfactual'),
    methodExplanation('similar'),
  ])
  .refine((explanation) => explanation.scores === null || explanation.scores.length === explanation.words.length, {
    message: 'there must be one score per word',
    path: ['scores'],
  });

export const explanationsRecordSchema = z
  .object({ explanations: z.array(explanationSchema).min(1).max(10) })
  .refine((record) => new Set(record.explanations.map((e) => e.method)).size === record.explanations.length, {
    message: 'each method may appear once',
    path: ['explanations'],
  });
export type ExplanationsRecord = z.infer<typeof explanationsRecordSchema>;
export type ExplanationRecord = z.infer<typeof explanationSchema>;

/** One entry of a batch post's `explanations`: a prediction's id and its explanations, as a single post would send them. */
export const batchedExplanationsSchema = z.object({ predictionId: id }).and(explanationsRecordSchema);
