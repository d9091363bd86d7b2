// The behavioural audit's report (`npm run audit`): what it found for one model version, as
// printed, written to JSON, summarised in the model card, stored per model version and drawn by
// the admin's Model page. One schema for all of them, so a report is checked wherever it is read.
import { z } from 'zod';

/** The thresholds a report warns on. */
export const AUDIT_THRESHOLDS = {
  /** An invariance type whose flip rate exceeds this is a warning. */
  maxFlipRate: 0.05,
  /** A Disparate Impact ratio (lowest group answer rate / highest) below this fails the four-fifths rule. */
  minDisparateImpact: 0.8,
} as const;

export const INVARIANCE_TYPES = [
  'typo',
  'case',
  'punctuation',
  'filler',
  'politeness',
  'contraction',
  'name',
  'pronoun',
  'nationality',
  'religion',
  'age',
] as const;
export type InvarianceType = (typeof INVARIANCE_TYPES)[number];

/** Identity attributes the fairness suite compares groups across. */
export const IDENTITY_ATTRIBUTES = ['name_gender', 'name_origin', 'pronoun', 'nationality', 'religion', 'age'] as const;
export type IdentityAttribute = (typeof IDENTITY_ATTRIBUTES)[number];

const finite = z.number().finite();
const share = z.number().min(0).max(1);
const count = z.number().int().min(0);
const boundedText = z.string().max(2000);

/** A figure with its bootstrap 95 % confidence interval (null bounds: too few cases to resample). */
export const intervalSchema = z.object({ value: finite, low: finite.nullable(), high: finite.nullable() });
export type Interval = z.infer<typeof intervalSchema>;

export const invarianceRowSchema = z.object({
  type: z.enum(INVARIANCE_TYPES),
  /** 'robustness' (typos, case, …) or 'identity' (names, pronouns, …). */
  family: z.enum(['robustness', 'identity']),
  /** Message/variant pairs evaluated. */
  cases: count,
  /** Share of pairs whose answer (top intent or decision) changed. */
  flipRate: intervalSchema,
  /** Mean |p(original answer | variant) − p(original answer | message)|. */
  meanAbsDeltaP: finite,
  /** flipRate.value > AUDIT_THRESHOLDS.maxFlipRate. */
  warn: z.boolean(),
});
export type InvarianceRow = z.infer<typeof invarianceRowSchema>;

export const fairnessGroupSchema = z.object({
  group: z.string().max(80),
  probes: count,
  /** Share of probes answered (not handed off). */
  answerRate: share,
  /** Accuracy on the labelled probes of this group. */
  accuracy: share,
});

export const fairnessRowSchema = z.object({
  attribute: z.enum(IDENTITY_ATTRIBUTES),
  groups: z.array(fairnessGroupSchema).max(50),
  /** Lowest group answer rate / highest, with its interval. */
  disparateImpact: intervalSchema,
  /** DI below AUDIT_THRESHOLDS.minDisparateImpact. */
  fourFifthsViolated: z.boolean(),
  /** Largest difference in accuracy between two groups (Equal Opportunity difference), with its interval. */
  equalOpportunityDifference: intervalSchema,
});
export type FairnessRow = z.infer<typeof fairnessRowSchema>;

/** One message and one of its variants whose answers differ: the audit's worst flips. */
export const flipSchema = z.object({
  type: z.enum([...INVARIANCE_TYPES, 'negation']),
  original: boundedText,
  variant: boundedText,
  originalIntent: z.string().max(200),
  variantIntent: z.string().max(200),
  originalP: share,
  /** p(original answer) on the variant. */
  variantP: share,
  /** The policy's decision on each text (an answer can become a hand-off with the same top intent). */
  originalDecision: z.enum(['answer', 'clarify', 'handoff', 'unreadable']).optional(),
  variantDecision: z.enum(['answer', 'clarify', 'handoff', 'unreadable']).optional(),
  /** Stored explanations of both texts (lib/records explanation objects), when the audit computed them. */
  explanations: z.object({ original: z.array(z.unknown()).max(20), variant: z.array(z.unknown()).max(20) }).optional(),
});
export type Flip = z.infer<typeof flipSchema>;

export const auditWarningSchema = z.object({
  kind: z.enum(['flip_rate', 'disparate_impact', 'missing_list', 'few_cases']),
  subject: z.string().max(80),
  value: finite.nullable(),
  threshold: finite.nullable(),
  message: z.string().max(500),
});
export type AuditWarning = z.infer<typeof auditWarningSchema>;

export const auditReportSchema = z.object({
  schema: z.literal(1),
  model: z.object({
    name: z.string().max(200),
    /** The card's version (lib/model/card.ts `modelVersion`). */
    version: z.string().max(200),
    language: z.string().max(35),
    /** The model version's content hash (lib/model/versions.ts `contentHash`); absent in reports made before versions had one. */
    hash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  }),
  botId: z.string().max(100).nullable(),
  createdAt: z.string().max(40),
  seconds: finite,
  data: z.object({
    /** Where the messages came from: a labelled file, or the model's own similar-questions index. */
    source: z.enum(['file', 'similar-index']),
    rows: count,
    intents: count,
    /** Messages the suites were built from (a seeded sample of the rows, stratified by intent). */
    sampled: count.optional(),
    /** Rows left out for being longer than the audit reads. */
    tooLong: count.optional(),
  }),
  /** How the run was set up, so it can be repeated. */
  settings: z
    .object({
      seed: z.number().int(),
      messages: count,
      resamples: count,
      explanationMessages: count,
      explanationSamples: count,
      worstFlips: count,
      flipExplanationBudgetMs: count,
    })
    .optional(),
  /** Word lists used for the bot's language, and the ones that do not exist for it (each also a warning). */
  lists: z.object({ language: z.string().max(35), used: z.array(z.string().max(80)).max(100), missing: z.array(z.string().max(80)).max(100) }),
  invariance: z.array(invarianceRowSchema).max(INVARIANCE_TYPES.length),
  fairness: z.array(fairnessRowSchema).max(IDENTITY_ATTRIBUTES.length),
  negation: z.object({ cases: count, flipRate: intervalSchema, meanAbsDeltaP: finite }).nullable(),
  explanationRobustness: z
    .object({
      cases: count,
      /** The word-scoring methods compared. */
      methods: z.array(z.string().max(40)).max(20).optional(),
      /** Mean top-3 word overlap between a message and its invariance variants, per method. */
      top3Overlap: z.array(z.object({ method: z.string().max(40), overlap: intervalSchema })).max(20),
      /** Share of messages where the methods' top words disagree (top-1 differs); null when fewer than two methods ran. */
      methodDisagreement: intervalSchema.nullable(),
    })
    .nullable(),
  worstFlips: z.array(flipSchema).max(50),
  warnings: z.array(auditWarningSchema).max(200),
});
export type AuditReport = z.infer<typeof auditReportSchema>;

/** What the model card keeps of a report (`audit` in model-card.json): `auditSummary`'s output. */
export const auditSummarySchema = z.object({
  created: z.string().max(40),
  seconds: finite,
  maxFlipRate: share,
  flipRates: z.partialRecord(z.enum(INVARIANCE_TYPES), share),
  minDisparateImpact: finite.nullable(),
  warnings: z.array(z.string().max(500)).max(200),
});

/** What the model card keeps of a report (`audit` in model-card.json). */
export function auditSummary(report: AuditReport): AuditSummary {
  return {
    created: report.createdAt,
    seconds: report.seconds,
    maxFlipRate: Math.max(0, ...report.invariance.map((row) => row.flipRate.value)),
    flipRates: Object.fromEntries(report.invariance.map((row) => [row.type, row.flipRate.value])) as AuditSummary['flipRates'],
    minDisparateImpact: report.fairness.length > 0 ? Math.min(...report.fairness.map((row) => row.disparateImpact.value)) : null,
    warnings: report.warnings.map((warning) => warning.message),
  };
}
export type AuditSummary = z.infer<typeof auditSummarySchema>;
