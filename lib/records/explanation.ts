import { z } from 'zod';
import { attentionExtraSchema, attentionSettingsSchema } from '@/lib/explain/attention';
import { MAX_MESSAGE_CHARS, MAX_WORDS } from '@/lib/explain/common';
import { counterfactualExtraSchema, counterfactualSettingsSchema } from '@/lib/explain/counterfactual';
import { limeExtraSchema, limeSettingsSchema } from '@/lib/explain/lime';
import { occlusionExtraSchema, occlusionSettingsSchema } from '@/lib/explain/occlusion';
import { rolloutExtraSchema, rolloutSettingsSchema } from '@/lib/explain/rollout';
import { similarExtraSchema, similarSettingsSchema } from '@/lib/explain/similar';
import { labelField as label, probabilityField as probability, uuidField as id } from './fields';

const MAX_MESSAGE_LENGTH = MAX_MESSAGE_CHARS;
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
 * dropped), after the server has fitted it to the stored message (lib/ingest/redact-records.ts).
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
