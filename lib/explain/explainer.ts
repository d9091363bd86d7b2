// The one interface every explainer shares (after Captum's `Method(forward).attribute()` and
// LIT's interpreters): the same input, one serialisable explanation out, and a descriptor that
// says everything the rest of the app needs to know about the method — its name, what it
// needs, whether it scores words, which view shows it, the zod schemas of what it stores, and
// how its `extra` is made safe to store. The code runs unchanged in the browser worker and in Node.
import type { z } from 'zod';
import type { Analysis, PredictFn, SimilarExample, WordSpan } from '@/lib/model/types';

export interface ExplainInput {
  /** The text exactly as the user typed it. */
  text: string;
  /** The words the user typed, with their character spans in `text` (lib/model `wordSpans` in the bot's language). */
  words: WordSpan[];
  /** Batched classifier: calibrated probabilities per text (rows sum to 1). */
  predict: PredictFn;
  /** Class names, in the order of `predict`'s probabilities. */
  labels: string[];
  /** Index of the class being explained (normally the predicted one). */
  target: number;
  /** The forward pass on `text`: attentions, tokens, embedding. Needed by explainers that need `analysis`. */
  analysis?: Analysis;
  /** Nearest training examples for the sentence embedding. Needed by explainers that need `similar`. */
  similar?: (embedding: number[], k: number) => SimilarExample[];
  /**
   * Index of another class to contrast the target with ("why this, and not that?"). Needed by
   * explainers that need `versus`; absent, they do not run.
   */
  versus?: number;
}

/**
 * ERASER faithfulness (DeYoung et al. 2020) of one word-scoring explanation, for the target
 * class. Comprehensiveness: p(target | text) − p(target | text without the top-k words)
 * (higher = the words mattered). Sufficiency: p(target | text) − p(target | only the
 * top-k words) (lower = the words suffice). Deletion AUC: area under p(target) as words are
 * removed most-important first, x normalised to [0, 1] (lower = more faithful).
 */
export interface Faithfulness {
  /** k = 1, 2, 3 words and 20 % of the words (at least one), in that order. */
  comprehensiveness: { k: string; value: number }[];
  sufficiency: { k: string; value: number }[];
  /** Means over the k levels above: the figures shown and stored as columns. */
  meanComprehensiveness: number;
  meanSufficiency: number;
  deletionAuc: number;
}

/** One explainer's output for method `Method`: what the panel renders and the database stores. */
export interface ExplanationOf<Method extends string = string, Settings extends object = object, Extra extends object = object> {
  method: Method;
  /** Bumped when the shape of `extra` for this method changes. */
  version: 1;
  target: { index: number; label: string; probability: number };
  /** Everything needed to reproduce the result, the seed included when there is randomness. */
  settings: Settings;
  /** The words the scores refer to: as typed, with their spans. */
  words: WordSpan[];
  /**
   * One score per word (positive = for the target class), or null for methods that do not score
   * words. A method that is not word-scoring may still give one score per word of another
   * quantity (contrast: of the margin p(target) − p(versus)): any view can draw them, but they
   * get no faithfulness and are not compared with the word-scoring methods'.
   */
  scores: number[] | null;
  /** Method-specific data, of the shape the method's `extraSchema` gives. */
  extra: Extra;
  /** Present for word-scoring methods once evaluated. */
  faithfulness?: Faithfulness;
  timing: { ms: number; forwardPasses: number };
}

/** What an explainer needs beyond the text and a classifier: the model's internals, the similar-questions index, or a class to contrast with. */
export type ExplainerNeed = 'analysis' | 'similar' | 'versus';

/**
 * A view of the panel beyond the generic word-evidence view (which every word-scoring method
 * gets): the attention heatmaps and head view, the rollout line in them, "what would change my
 * answer", the similar questions, and "why this, and not that?". A method declaring one must
 * store the `extra` that view reads.
 */
export type ExplainerView = 'attention-matrices' | 'rollout' | 'counterfactual' | 'neighbours' | 'contrast';

/**
 * How a string field of a stored explanation is made safe to store (see `RECORD_STRING_FIELDS`
 * in lib/ingest/redact-records.ts): `derived` from the stored message by the method's fit hook,
 * a model `label`, `checked` against a known value, an `enum`, or `redacted`.
 */
export type StringFieldKind = 'derived' | 'label' | 'checked' | 'enum' | 'redacted';

/**
 * The facts of the bot's model a fit hook checks an `extra` against (the server's `BotFacts`
 * has them all; stated here so that explainers need nothing from the server).
 */
export interface FitFacts {
  botId: string;
  labels: readonly string[];
  labelIndex: ReadonlyMap<string, number>;
  /** The language the model reads (BCP 47, from its card): the stored message's words are cut in it. */
  language: string;
  /** Model input positions: no explanation has more tokens. */
  maxTokens: number;
  /** Attention layers the model returns (every ensemble member's, stacked) and heads per layer. */
  attentionLayers: number;
  attentionHeads: number;
  /** The similar-questions index: each question's text and its labels (null when the bot has none). */
  similarQuestions: ReadonlyMap<string, ReadonlySet<string>> | null;
}

/** What a fit hook is given besides the posted `extra`. */
export interface FitContext {
  /** The message as stored: personal data already masked (same length as typed). */
  storedText: string;
  /** The stored message's words (its word units in the bot's language, lib/ingest/fit-explanation `storedWords`), as the fitted explanation stores them. */
  words: readonly WordSpan[];
  bot: FitFacts;
  /** The character personal data is masked with: any visitor text the hook cannot derive becomes it. */
  mask: string;
  /** The explained class's label (already checked against the model's labels). */
  target: string;
}

export type FitOutcome<Extra> = { ok: true; extra: Extra } | { ok: false; problem: string };

/**
 * Everything the app knows about one explanation method, beside its code. The lists the app
 * uses (method enum, panel order, names, record schema, string-field classes, fitting) are all
 * derived from a list of these (lib/explain/methods.ts); see lib/explain/README.md.
 */
export interface ExplainerDescriptor<
  Method extends string = string,
  SettingsSchema extends z.ZodType<object> = z.ZodType<object>,
  ExtraSchema extends z.ZodType<object> = z.ZodType<object>,
  Settings extends object = object,
  ScoresWords extends boolean = boolean,
  View extends ExplainerView | undefined = ExplainerView | undefined,
> {
  readonly method: Method;
  /** The method's name, as the panel and the admin show it. */
  readonly label: string;
  /** A name short enough for a segmented control or a table column. */
  readonly shortLabel: string;
  /** What the input must carry besides text and classifier; a method is skipped where it is missing. */
  readonly needs: readonly ExplainerNeed[];
  /** Gives one score per word: shown in the generic word-evidence view and evaluated for faithfulness. */
  readonly scoresWords: ScoresWords;
  /** What it shows, in a sentence for the reader (under the word-evidence view, for a word-scoring method). */
  readonly description: string;
  /**
   * Where its word scores may be the ones a customer sees (highest first); absent: never.
   * Word scores that explain where the model looked, not why it decided, leave this out.
   */
  readonly customerRank?: number;
  /** The special view that shows its `extra`, if any. */
  readonly view: View;
  /** What a stored explanation's `settings` may hold. */
  readonly settingsSchema: SettingsSchema;
  /** What a stored explanation's `extra` may hold: numbers, enums and bounded arrays, strings only where `stringFields` says how they are made safe. */
  readonly extraSchema: ExtraSchema;
  /** Every string path under `settings.` and `extra.` of its schemas (array elements as `[]`), and how it is made safe to store. */
  readonly stringFields: Readonly<Record<string, StringFieldKind>>;
  /**
   * Fits a posted `extra` to the stored message and the bot's model: checks what must agree
   * with them (shapes, labels, indices) and replaces any visitor text with what is derived from
   * the stored message, or masks it. Required: a method cannot be stored without saying how.
   */
  fitExtra(extra: z.output<ExtraSchema>, context: FitContext): FitOutcome<z.output<ExtraSchema>>;
  readonly defaults: Settings;
  explain(input: ExplainInput, settings?: Partial<Settings>): Promise<ExplanationOf<Method, z.output<SettingsSchema>, z.output<ExtraSchema>>>;
}

/** Any descriptor, whatever its method and schemas. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the settings of an unknown method are unknown; each descriptor is typed where it is defined
export type AnyExplainer = ExplainerDescriptor<string, z.ZodType<object>, z.ZodType<object>, any, boolean, ExplainerView | undefined>;

/** The explanation type a descriptor's explainer gives (a union over a union of descriptors). */
export type ExplanationFrom<D> = D extends { method: infer Method extends string; settingsSchema: infer SettingsSchema extends z.ZodType<object>; extraSchema: infer ExtraSchema extends z.ZodType<object> }
  ? ExplanationOf<Method, z.output<SettingsSchema>, z.output<ExtraSchema>>
  : never;

/** Settings an explainer merges over its defaults (for `explainAll`'s per-method settings). */
export type SettingsFrom<D> = D extends { defaults: infer Settings extends object } ? Settings : never;

/** Defines a descriptor with its method, view and `scoresWords` kept as literal types. */
export function defineExplainer<
  const Method extends string,
  SettingsSchema extends z.ZodType<object>,
  ExtraSchema extends z.ZodType<object>,
  Settings extends object,
  const ScoresWords extends boolean,
  const View extends ExplainerView | undefined,
>(descriptor: ExplainerDescriptor<Method, SettingsSchema, ExtraSchema, Settings, ScoresWords, View>): ExplainerDescriptor<Method, SettingsSchema, ExtraSchema, Settings, ScoresWords, View> {
  return descriptor;
}
