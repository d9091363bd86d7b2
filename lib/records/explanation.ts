import { z } from 'zod';
import { MAX_MESSAGE_CHARS, MAX_WORDS } from '@/lib/explain/common';
import type { AnyExplainer, ExplanationFrom } from '@/lib/explain/explainer';
import { EXPLAINERS, methodsOf } from '@/lib/explain/methods';
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

const explanationFields = {
  version: z.literal(1),
  target: z.object({ index: z.number().int().min(0).max(10_000), label, probability }),
  words: z.array(wordSpan).max(MAX_WORDS),
  scores: z.array(finite).max(MAX_WORDS).nullable(),
  faithfulness: faithfulnessSchema.optional(),
  timing: z.object({ ms: finite.min(0), forwardPasses: z.number().int().min(0) }),
};

/**
 * The record schema of one explanation for the methods of `list`: a union discriminated by
 * `method`, each method with its own `settings` and `extra` schema from its descriptor
 * (lib/explain/<method>.ts). What is stored is what this gives (unknown keys dropped), after the
 * server has fitted it to the stored message (lib/ingest/fit-explanation.ts).
 */
export function explanationSchemaFor<D extends AnyExplainer>(list: readonly D[]): z.ZodType<ExplanationFrom<D>> {
  methodsOf(list);
  const [first, ...rest] = list.map((descriptor) =>
    z.object({ method: z.literal(descriptor.method), ...explanationFields, settings: descriptor.settingsSchema, extra: descriptor.extraSchema }),
  );
  const schema = z.discriminatedUnion('method', [first!, ...rest]).refine((explanation) => explanation.scores === null || explanation.scores.length === explanation.words.length, {
    message: 'there must be one score per word',
    path: ['scores'],
  });
  // Each option is the descriptor's own `method`, `settings` and `extra` schema over the shared
  // fields, which is what `ExplanationFrom` states of every descriptor of the list.
  return schema as z.ZodType<unknown> as z.ZodType<ExplanationFrom<D>>;
}

/** The record of one posted explanation, for the app's explainers (lib/explain/methods.ts `EXPLAINERS`). */
export const explanationSchema = explanationSchemaFor(EXPLAINERS);
export type ExplanationRecord = z.infer<typeof explanationSchema>;

/**
 * The other intent a contrastive explanation ("why this and not that?") is about: its
 * `extra.versus`, or '' for an explanation of the answer alone. A prediction keeps one
 * explanation per method and other intent (the store's key, lib/db/queries/explanations.ts
 * `explanationVersus`, reads the same field).
 */
export function versusOf(explanation: { extra?: unknown }): string {
  const extra = explanation.extra;
  const versus = typeof extra === 'object' && extra !== null && Object.hasOwn(extra, 'versus') ? (extra as { versus?: unknown }).versus : undefined;
  return typeof versus === 'string' ? versus : '';
}

/** What a prediction keeps one of: a method, and for a contrast the other intent too. */
export const explanationKey = (explanation: { method: string; extra?: unknown }): string => `${explanation.method}\u0000${versusOf(explanation)}`;

/** A post's explanations for the methods of `list`: at most one per method and other intent (several contrasts, one per other intent). */
export function explanationsRecordSchemaFor<D extends AnyExplainer>(list: readonly D[]) {
  return z
    .object({ explanations: z.array(explanationSchemaFor(list)).min(1).max(Math.max(10, list.length)) })
    .refine((record) => new Set(record.explanations.map(explanationKey)).size === record.explanations.length, {
      message: 'each method may appear once (a contrast once per other intent)',
      path: ['explanations'],
    });
}

export const explanationsRecordSchema = explanationsRecordSchemaFor(EXPLAINERS);
export type ExplanationsRecord = z.infer<typeof explanationsRecordSchema>;

/** One entry of a batch post's `explanations`: a prediction's id and its explanations, as a single post would send them. */
export const batchedExplanationsSchema = z.object({ predictionId: id }).and(explanationsRecordSchema);
