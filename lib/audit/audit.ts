// The behavioural audit of one model: invariance (robustness and identity swaps), fairness
// across identity groups, negation sensitivity, explanation robustness and the worst flips,
// from a seeded sample of labelled messages and the word lists of the bot's language. Works on
// any `AuditClassifier`: the real model (./model.ts) or a synthetic one. The report it returns
// holds the messages as written: mask it (./redact.ts) before it is written or stored.
import { EXPLAIN_BUDGET_MS } from '@/lib/chat/inference-jobs';
import type { BootstrapOptions } from './bootstrap';
import type { AuditClassifier } from './classifier';
import { explainable, explanationRobustness } from './explanation-robustness';
import { fairnessRow, type LabelledSet } from './fairness';
import { ATTRIBUTES_OF_TYPE, identitySet, identityTypesOf, type IdentitySet } from './identity';
import { allPairs, invarianceRow, pairFigures, type FlipCandidate, type PairCluster } from './invariance';
import { loadWordLists, type LanguageLists } from './lists';
import { negate } from './negation';
import { LIST_OF_TYPE, perturb, ROBUSTNESS_TYPES } from './perturbations';
import { Predictions, type Progress } from './predictions';
import { auditReportSchema, AUDIT_THRESHOLDS, type AuditReport, type AuditWarning, type FairnessRow, type InvarianceRow } from './report';
import { stratifiedSample, streamFor, subSeed } from './sampling';
import { explainFlips, worstOf } from './worst-flips';

export interface AuditMessage {
  text: string;
  /** The intent it is labelled with (any string: one the model does not know takes no part in fairness). */
  label: string;
}

export interface AuditInput {
  classifier: AuditClassifier;
  model: { name: string; version: string };
  botId: string | null;
  data: { source: AuditReport['data']['source']; messages: readonly AuditMessage[] };
}

export interface AuditOptions {
  seed?: number;
  /** Messages sampled from the data, stratified by intent. */
  messages?: number;
  /** Bootstrap resamples per interval. */
  resamples?: number;
  /** Messages the explanation-robustness suite explains (twice per method each). */
  explanationMessages?: number;
  /** Samples each word-scoring method draws there. */
  explanationSamples?: number;
  worstFlips?: number;
  /** Time for the explanations of each text of a worst flip (default: the chat panel's budget). */
  flipExplanationBudgetMs?: number;
  /** The word lists (default: lib/audit/lists for the classifier's language). */
  lists?: LanguageLists;
  onProgress?: (progress: Progress) => void;
}

/** The defaults: the whole suite on the demo model within two minutes on two cores (README, "Audit"). */
export const AUDIT_DEFAULTS = {
  seed: 1,
  messages: 300,
  resamples: 1000,
  explanationMessages: 32,
  explanationSamples: 400,
  worstFlips: 10,
  flipExplanationBudgetMs: EXPLAIN_BUDGET_MS,
} as const;

/** Longer messages are left out: the schema keeps texts of at most 2,000 characters, templates included. */
export const MAX_MESSAGE_CHARS = 1000;
/** Fewer cases than this in a suite are a warning: its interval is wide. */
export const MIN_CASES = 30;

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

export async function runAudit(input: AuditInput, options: AuditOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  const settings = { ...AUDIT_DEFAULTS, ...definedOf(options) };
  const { classifier } = input;
  const language = classifier.language;
  const lists = options.lists ?? loadWordLists(language);
  const wordLists = lists.lists;
  const predictions = new Predictions(classifier, options.onProgress);
  const bootstrap = (name: string): BootstrapOptions => ({ seed: subSeed(settings.seed, 'bootstrap', name), resamples: settings.resamples });
  const warnings: AuditWarning[] = lists.missing.map(({ list, reason }) => ({ kind: 'missing_list', subject: list, value: null, threshold: null, message: `No ${list} list for ${language}: ${reason}` }));

  // The messages: a seeded sample, stratified by intent, of the rows the audit can read.
  const readable = input.data.messages.filter((message) => message.text.trim() !== '' && message.text.length <= MAX_MESSAGE_CHARS);
  const tooLong = input.data.messages.filter((message) => message.text.length > MAX_MESSAGE_CHARS).length;
  const sample = stratifiedSample(readable.map((message) => message.label), settings.messages, settings.seed).map((i) => readable[i]!);
  const texts = sample.map((message) => message.text);
  const inScope = (label: string) => classifier.labels.includes(label) && label !== classifier.outOfScopeLabel;

  // Invariance, robustness: one variant per message and type.
  const robustness = ROBUSTNESS_TYPES.filter((type) => LIST_OF_TYPE[type] === null || wordLists?.[LIST_OF_TYPE[type]!] !== undefined).map((type) => ({
    type,
    clusters: texts.flatMap((text, message): PairCluster[] => {
      const variant = perturb(type, text, { lists: wordLists, locale: language, rng: streamFor(settings.seed, 'robustness', type, message) });
      return variant === null ? [] : [{ message, original: text, pairs: [[text, variant]] }];
    }),
  }));
  await predictions.add('invariance', [...texts, ...robustness.flatMap(({ clusters }) => clusters.flatMap((cluster) => cluster.pairs.flat()))]);

  // Invariance, identity: the same message and template once per group.
  const identity = identityTypesOf(wordLists).map((type) => ({
    type,
    sets: texts.map((text, message) => ({ message, set: identitySet(type, text, wordLists!, streamFor(settings.seed, 'identity', type, message))! })),
  }));
  await predictions.add('identity', identity.flatMap(({ sets }) => sets.flatMap(({ set }) => set.variants.map((variant) => variant.text))));

  const invariance: InvarianceRow[] = [];
  const flips: FlipCandidate[] = [];
  for (const { type, clusters } of robustness) {
    if (clusters.length === 0) {
      warnings.push({ kind: 'few_cases', subject: type, value: 0, threshold: MIN_CASES, message: `${type}: no message of the sample has a ${type} variant` });
      continue;
    }
    const result = invarianceRow(type, 'robustness', clusters, predictions, bootstrap(type));
    invariance.push(result.row);
    flips.push(...result.flips);
  }
  for (const { type, sets } of identity) {
    const clusters = sets.map(({ message, set }) => ({ message, original: texts[message]!, pairs: allPairs(set.variants.map((variant) => variant.text)) }));
    const result = invarianceRow(type, 'identity', clusters, predictions, bootstrap(type));
    invariance.push(result.row);
    flips.push(...result.flips);
  }
  for (const row of invariance) {
    if (row.warn) warnings.push({ kind: 'flip_rate', subject: row.type, value: row.flipRate.value, threshold: AUDIT_THRESHOLDS.maxFlipRate, message: `${row.type}: the answer changed in ${pct(row.flipRate.value)} of ${row.cases} pairs (over ${pct(AUDIT_THRESHOLDS.maxFlipRate)})` });
    else if (row.cases < MIN_CASES) warnings.push({ kind: 'few_cases', subject: row.type, value: row.cases, threshold: MIN_CASES, message: `${row.type}: only ${row.cases} pairs, so its interval is wide` });
  }

  // Fairness: the identity sets of the labelled in-scope messages (the same messages for every attribute).
  const fairness: FairnessRow[] = [];
  const labelledMessages = sample.filter((message) => inScope(message.label)).length;
  if (identity.length > 0 && labelledMessages < MIN_CASES) {
    warnings.push({
      kind: 'few_cases',
      subject: 'fairness',
      value: labelledMessages,
      threshold: MIN_CASES,
      message: labelledMessages === 0 ? 'fairness: no message is labelled with an in-scope intent of the model, so no groups are compared' : `fairness: only ${labelledMessages} messages labelled with an in-scope intent, so its intervals are wide`,
    });
  }
  for (const { type, sets } of identity) {
    const labelled: LabelledSet[] = sets.filter(({ message }) => inScope(sample[message]!.label)).map(({ message, set }: { message: number; set: IdentitySet }) => ({ label: sample[message]!.label, set }));
    for (const attribute of ATTRIBUTES_OF_TYPE[type]) {
      const row = fairnessRow(attribute, labelled, predictions, bootstrap(attribute));
      if (!row) continue;
      fairness.push(row);
      if (row.fourFifthsViolated) {
        const lowest = row.groups.reduce((a, b) => (b.answerRate < a.answerRate ? b : a));
        warnings.push({
          kind: 'disparate_impact',
          subject: attribute,
          value: row.disparateImpact.value,
          threshold: AUDIT_THRESHOLDS.minDisparateImpact,
          message: `${attribute}: Disparate Impact ${row.disparateImpact.value.toFixed(2)} fails the four-fifths rule (group ${lowest.group} is answered ${pct(lowest.answerRate)} of the time)`,
        });
      }
    }
  }

  // Negation: reported, not judged.
  const negated = texts.flatMap((text, message): PairCluster[] => {
    const variant = negate(text, wordLists);
    return variant === null ? [] : [{ message, original: text, pairs: [[text, variant]] }];
  });
  await predictions.add('negation', negated.flatMap((cluster) => cluster.pairs[0]!));
  let negation: AuditReport['negation'] = null;
  if (negated.length > 0) {
    const { cases, flipRate, meanAbsDeltaP } = pairFigures('negation', negated, predictions, bootstrap('negation'));
    negation = { cases, flipRate, meanAbsDeltaP };
  }

  // Explanation robustness, on a sample of messages with enough words.
  const explainableIndices = texts.flatMap((text, i) => (explainable(text, language) ? [i] : []));
  const chosen = stratifiedSample(explainableIndices.map((i) => sample[i]!.label), settings.explanationMessages, subSeed(settings.seed, 'explanations')).map((j) => explainableIndices[j]!);
  const explanations = await explanationRobustness(chosen, {
    messages: texts,
    lists: wordLists,
    locale: language,
    predictions,
    rng: (message) => streamFor(settings.seed, 'explanation', message),
    samples: settings.explanationSamples,
    seed: settings.seed,
    bootstrap: bootstrap('explanations'),
    onProgress: (done, total) => options.onProgress?.({ suite: 'explanations', done, total }),
  });

  // The worst flips, explained.
  const worst = worstOf(flips, settings.worstFlips);
  options.onProgress?.({ suite: 'worst flips', done: 0, total: worst.length });
  const worstFlips = await explainFlips(worst, classifier, predictions.cache.predict, settings.flipExplanationBudgetMs, (done, total) => options.onProgress?.({ suite: 'worst flips', done, total }));

  return auditReportSchema.parse({
    schema: 1,
    model: { name: input.model.name.slice(0, 200), version: input.model.version.slice(0, 200), language },
    botId: input.botId,
    createdAt: new Date().toISOString(),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    data: {
      source: input.data.source,
      rows: input.data.messages.length,
      intents: new Set(input.data.messages.map((message) => message.label)).size,
      sampled: sample.length,
      tooLong,
    },
    settings,
    lists: { language, used: lists.used, missing: lists.missing.map(({ list }) => list) },
    invariance,
    fairness,
    negation,
    explanationRobustness: explanations,
    worstFlips,
    warnings,
  } satisfies AuditReport);
}

function definedOf(options: AuditOptions): Partial<typeof AUDIT_DEFAULTS> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(AUDIT_DEFAULTS) as (keyof typeof AUDIT_DEFAULTS)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
