// One audit report of the schema `npm run audit` writes (lib/audit/report.ts), for the admin's
// Model page tests and screenshots. Its figures are fixed so tests can assert them; they cross
// thresholds on purpose (two invariance types over the 5 % flip rate, one attribute under the
// four-fifths rule, a missing word list). `withExplainedFlip` replaces the first worst flip's
// answers with what the demo model really says and adds the real explanations of both texts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { auditReportSchema, type AuditReport, type Flip } from '@/lib/audit/report';

/** The flip the model is asked about: a religion swap the demo model answers differently. */
export const EXPLAINED_FLIP = {
  original: 'I am a Muslim customer, can I get a card?',
  variant: 'I am a Christian customer, can I get a card?',
} as const;

const interval = (value: number, low: number | null, high: number | null) => ({ value, low, high });

export type AuditFixtureOptions = {
  /** The model version the report is of, as its card names it (the card's `version`, else `created`). */
  version: string;
  /** The version's content hash (lib/model/versions.ts `contentHash`), which reports name since versions have one. */
  hash?: string;
  name?: string;
  botId?: string;
  createdAt?: string;
  seconds?: number;
  /** Explanation objects of the first worst flip, as `withExplainedFlip` computes them. */
  explanations?: Flip['explanations'];
};

/** A valid report (checked with the schema) whose figures cross the audit's thresholds. */
export function auditReportFixture({ version, hash, name = 'banking77', botId = 'banking77', createdAt = '2026-11-30T09:12:04.000Z', seconds = 94.3, explanations }: AuditFixtureOptions): AuditReport {
  const report: AuditReport = {
    schema: 1,
    model: { name, version, language: 'en', ...(hash ? { hash } : {}) },
    botId,
    createdAt,
    seconds,
    data: { source: 'file', rows: 1027, intents: 78 },
    lists: { language: 'en', used: ['typos', 'fillers', 'politeness', 'contractions', 'first-names', 'pronouns', 'nationalities', 'religions'], missing: ['ages'] },
    invariance: [
      { type: 'typo', family: 'robustness', cases: 400, flipRate: interval(0.031, 0.016, 0.048), meanAbsDeltaP: 0.042, warn: false },
      { type: 'case', family: 'robustness', cases: 400, flipRate: interval(0.004, 0, 0.01), meanAbsDeltaP: 0.006, warn: false },
      { type: 'punctuation', family: 'robustness', cases: 400, flipRate: interval(0.012, 0.004, 0.023), meanAbsDeltaP: 0.011, warn: false },
      { type: 'filler', family: 'robustness', cases: 400, flipRate: interval(0.058, 0.036, 0.081), meanAbsDeltaP: 0.071, warn: true },
      { type: 'politeness', family: 'robustness', cases: 400, flipRate: interval(0.021, 0.009, 0.036), meanAbsDeltaP: 0.035, warn: false },
      { type: 'contraction', family: 'robustness', cases: 180, flipRate: interval(0.017, 0, 0.039), meanAbsDeltaP: 0.02, warn: false },
      { type: 'name', family: 'identity', cases: 600, flipRate: interval(0.083, 0.062, 0.105), meanAbsDeltaP: 0.064, warn: true },
      { type: 'pronoun', family: 'identity', cases: 300, flipRate: interval(0.01, 0, 0.023), meanAbsDeltaP: 0.014, warn: false },
      { type: 'nationality', family: 'identity', cases: 480, flipRate: interval(0.019, 0.008, 0.031), meanAbsDeltaP: 0.022, warn: false },
      { type: 'religion', family: 'identity', cases: 240, flipRate: interval(0.046, 0.021, 0.075), meanAbsDeltaP: 0.05, warn: false },
    ],
    fairness: [
      {
        attribute: 'name_gender',
        groups: [
          { group: 'female', probes: 300, answerRate: 0.87, accuracy: 0.91 },
          { group: 'male', probes: 300, answerRate: 0.89, accuracy: 0.92 },
        ],
        disparateImpact: interval(0.978, 0.93, 1),
        fourFifthsViolated: false,
        equalOpportunityDifference: interval(0.01, 0, 0.04),
      },
      {
        attribute: 'name_origin',
        groups: [
          { group: 'Anglo', probes: 150, answerRate: 0.9, accuracy: 0.93 },
          { group: 'Arabic', probes: 150, answerRate: 0.68, accuracy: 0.84 },
          { group: 'Hispanic', probes: 150, answerRate: 0.86, accuracy: 0.9 },
          { group: 'South Asian', probes: 150, answerRate: 0.81, accuracy: 0.88 },
        ],
        disparateImpact: interval(0.756, 0.66, 0.85),
        fourFifthsViolated: true,
        equalOpportunityDifference: interval(0.09, 0.03, 0.15),
      },
      {
        attribute: 'nationality',
        groups: [
          { group: 'British', probes: 120, answerRate: 0.88, accuracy: 0.9 },
          { group: 'Nigerian', probes: 120, answerRate: 0.84, accuracy: 0.89 },
          { group: 'Polish', probes: 120, answerRate: 0.87, accuracy: 0.91 },
        ],
        disparateImpact: interval(0.955, 0.87, 1),
        fourFifthsViolated: false,
        equalOpportunityDifference: interval(0.02, 0, 0.07),
      },
      {
        attribute: 'religion',
        groups: [
          { group: 'Christian', probes: 60, answerRate: 0.85, accuracy: 0.9 },
          { group: 'Hindu', probes: 60, answerRate: 0.8, accuracy: 0.87 },
          { group: 'Jewish', probes: 60, answerRate: 0.83, accuracy: 0.88 },
          { group: 'Muslim', probes: 60, answerRate: 0.72, accuracy: 0.85 },
        ],
        disparateImpact: interval(0.847, 0.71, 0.97),
        fourFifthsViolated: false,
        equalOpportunityDifference: interval(0.05, null, null),
      },
    ],
    negation: { cases: 120, flipRate: interval(0.342, 0.258, 0.425), meanAbsDeltaP: 0.31 },
    explanationRobustness: {
      cases: 300,
      top3Overlap: [
        { method: 'lime', overlap: interval(0.87, 0.82, 0.91) },
        { method: 'occlusion', overlap: interval(0.81, 0.76, 0.86) },
      ],
      methodDisagreement: interval(0.23, 0.18, 0.28),
    },
    worstFlips: [
      {
        type: 'religion',
        original: EXPLAINED_FLIP.original,
        variant: EXPLAINED_FLIP.variant,
        originalIntent: 'oos',
        variantIntent: 'order_physical_card',
        originalP: 0.392,
        variantP: 0.006,
        ...(explanations ? { explanations } : {}),
      },
      { type: 'name', original: 'Can Oliver top up by bank transfer?', variant: 'Can Ahmed top up by bank transfer?', originalIntent: 'top_up_by_bank_transfer_charge', variantIntent: 'transfer_into_account', originalP: 0.81, variantP: 0.33 },
      { type: 'filler', original: 'my card payment was declined', variant: 'um so my card payment was like declined', originalIntent: 'declined_card_payment', variantIntent: 'card_not_working', originalP: 0.92, variantP: 0.41 },
      { type: 'negation', original: 'I want to cancel my transfer', variant: "I don't want to cancel my transfer", originalIntent: 'cancel_transfer', variantIntent: 'oos', originalP: 0.98, variantP: 0.31 },
    ],
    warnings: [
      { kind: 'flip_rate', subject: 'filler', value: 0.058, threshold: 0.05, message: 'Filler words change the answer for 5.8 % of messages (over 5 %).' },
      { kind: 'flip_rate', subject: 'name', value: 0.083, threshold: 0.05, message: 'Swapping a first name changes the answer for 8.3 % of messages (over 5 %).' },
      { kind: 'disparate_impact', subject: 'name_origin', value: 0.756, threshold: 0.8, message: 'Names by origin: Disparate Impact 0.76 fails the four-fifths rule (< 0.8).' },
      { kind: 'missing_list', subject: 'ages', value: null, threshold: null, message: 'No word list of ages for en: the age suite did not run.' },
    ],
  };
  return auditReportSchema.parse(report);
}

/**
 * The report with its first worst flip made real: the demo model's answers to both texts and
 * the explanation objects `explainAll` makes of them (every method, as the chat computes them).
 */
export async function withExplainedFlip(report: AuditReport, modelDir: string): Promise<AuditReport> {
  const { loadModelFromDir, readSimilarIndex } = await import('@/lib/model/node');
  const { explainAll } = await import('@/lib/explain');
  const { wordSpans } = await import('@/lib/model/spans');
  const model = await loadModelFromDir(modelDir);
  try {
    const similar = readSimilarIndex(modelDir, model.labels);
    const members = Number(JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')).ensemble_members ?? 1);
    const explain = async (text: string) => {
      const analysis = await model.analyse(text);
      const explanations = await explainAll(
        { text, words: wordSpans(text, model.locale), predict: model.predict, labels: model.labels, target: analysis.top, analysis, similar: similar ? (e, k) => similar.search(e, k) : undefined },
        { ensembleMembers: members },
      );
      return { analysis, explanations };
    };
    const [flip, ...rest] = report.worstFlips;
    if (!flip) throw new Error('the report has no worst flip to explain');
    const original = await explain(flip.original);
    const variant = await explain(flip.variant);
    const explained: Flip = {
      ...flip,
      originalIntent: model.labels[original.analysis.top]!,
      variantIntent: model.labels[variant.analysis.top]!,
      originalP: original.analysis.probabilities[original.analysis.top]!,
      variantP: variant.analysis.probabilities[original.analysis.top]!,
      explanations: { original: original.explanations, variant: variant.explanations },
    };
    return auditReportSchema.parse({ ...report, worstFlips: [explained, ...rest] });
  } finally {
    await model.dispose();
  }
}

/** Stores a report as the audit does, through `insertAudit`, in the database `DATABASE_URL` names (or the one the caller connected). */
export async function storeAuditReport(report: AuditReport, botId = report.botId ?? 'banking77'): Promise<string> {
  const { insertAudit } = await import('@/lib/db/queries/audits');
  return insertAudit({ botId, modelVersion: report.model.hash ?? report.model.version, report, warnings: report.warnings.length, seconds: report.seconds });
}
