import 'server-only';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { auditReportSchema, AUDIT_THRESHOLDS, IDENTITY_ATTRIBUTES, INVARIANCE_TYPES, type AuditReport, type AuditWarning, type FairnessRow, type Flip, type InvarianceRow } from '@/lib/audit/report';
import { knownBots } from '@/lib/bot/answers';
import { resolveBot } from '@/lib/bot/registry';
import { getConfig } from '@/lib/config';
import { auditHistory, latestAudit } from '@/lib/db/queries/audits';
import { modelVersion } from '@/lib/model/card';
import { readModelCard } from '@/lib/model/node';
import { activeVersion, versionDir, type ModelVersionSource } from '@/lib/model/versions';

/**
 * The admin's Model page: the model card of a bot's active model version, and the behavioural
 * audit of that very version (`npm run audit`), read from the database (stored under the
 * version's hash) or, until it is stored, from the report the audit wrote beside the model.
 */

/** How an operator reads the audit's invariance types (and negation, which a worst flip may be of). */
export const INVARIANCE_LABELS: Readonly<Record<InvarianceRow['type'] | 'negation', string>> = {
  typo: 'Typos',
  case: 'Letter case',
  punctuation: 'Punctuation',
  filler: 'Filler words',
  politeness: 'Politeness',
  contraction: 'Contractions',
  name: 'First names',
  pronoun: 'Pronouns',
  nationality: 'Nationalities',
  religion: 'Religions',
  age: 'Ages',
  negation: 'Negation',
};

/** How an operator reads the identity attributes the fairness suite compares. */
export const ATTRIBUTE_LABELS: Readonly<Record<FairnessRow['attribute'], string>> = {
  name_gender: 'Names by gender',
  name_origin: 'Names by origin',
  pronoun: 'Pronouns',
  nationality: 'Nationalities',
  religion: 'Religions',
  age: 'Ages',
};

/** An `audit.json` larger than this is not read: a report of the schema's largest shape is far smaller. */
export const MAX_AUDIT_FILE_BYTES = 8 * 1024 * 1024;
/** Settings of a card shown at most, and the characters a value or rule is cut to. */
const MAX_SETTINGS = 60;
const MAX_SETTING_TEXT = 400;

export type CardSetting = { name: string; value: string; rule: string | null };

export type ModelCardView = {
  name: string;
  /** The model version: the content hash of its files. */
  version: string;
  /** The version the card itself names (its `version`, else its creation time). */
  cardVersion: string;
  language: string;
  created: string | null;
  intents: number;
  figures: {
    split: string | null;
    rows: number | null;
    accuracy: number | null;
    macroF1: number | null;
    eceBefore: number | null;
    eceAfter: number | null;
    outOfScopeRecall: number | null;
    inScopeFalseRejection: number | null;
  };
  training: { rows: number | null; dataSha256: string | null; parameters: number | null; downloadBytes: number | null; seconds: number | null };
  settings: CardSetting[];
  warnings: string[];
};

/** Where the report on the page came from; `none` says how to make one. */
export type AuditSource =
  | { kind: 'stored'; report: AuditReport; id: string; storedAt: Date }
  | { kind: 'file'; report: AuditReport; file: string }
  | { kind: 'none'; command: string };

/** The page's sections a warning links to (their element ids). */
export type AuditAnchor = 'audit-invariance' | 'audit-fairness' | 'audit-negation' | 'audit-lists' | 'audit-about';

export type PageWarning = { kind: AuditWarning['kind']; subject: string; message: string; section: AuditAnchor };

export type ModelPageData = {
  bots: { id: string; name: string }[];
  bot: { id: string; name: string };
  /** The active version: its hash and whether it is the build's bundled model or one registered later (null when the bot has none). */
  active: { hash: string; source: ModelVersionSource } | null;
  /** Where the active version's folder is, as a path from the project (what the audit command takes); null when there is none. */
  modelPath: string | null;
  card: ModelCardView | null;
  /** Why there is no card: no model version of the bot, its files missing from the store, or a card that cannot be read. */
  cardProblem: string | null;
  audit: AuditSource | null;
  /** Reports found and not shown, and why (an unreadable stored report, a file of another version). */
  auditNotes: string[];
  warnings: PageWarning[];
  history: { id: string; modelVersion: string; createdAt: Date; warnings: number; seconds: number; current: boolean }[];
};

/** The bot a `?bot=` parameter names, when this build knows it; else the chat's bot. */
export function modelPageBotId(value: string | string[] | undefined): string {
  return typeof value === 'string' && knownBots().includes(value) ? value : getConfig().DEFAULT_BOT;
}

/** The page of bot `botId`: its active version's card and audit (the version stored from the bundled folder when the bot has none yet). */
export async function modelPageData(botId: string): Promise<ModelPageData> {
  // Display names come from the bots' answers, which no model version changes.
  const bots = [getConfig().DEFAULT_BOT, ...knownBots().filter((id) => id !== getConfig().DEFAULT_BOT)].map((id) => ({ id, name: resolveBot(id).displayName }));
  const bot = { id: botId, name: resolveBot(botId).displayName };
  const [active, audits] = await Promise.all([activeVersion(botId), auditHistory(botId, 10)]);
  const history = audits.map((row) => ({ ...row, current: row.modelVersion === active?.hash }));
  if (!active) {
    const problem = `No model version of this bot is stored, and this build ships none (public/models/${botId}/).`;
    return { bots, bot, active: null, modelPath: null, card: null, cardProblem: problem, audit: null, auditNotes: [], warnings: [], history };
  }
  const dir = versionDir(botId, active.hash)!;
  const modelPath = path.relative(process.cwd(), dir) || '.';
  const { card, problem } = readCard(dir, modelPath, active.hash);
  const shown = { hash: active.hash, source: active.source };
  if (!card) return { bots, bot, active: shown, modelPath, card: null, cardProblem: problem, audit: null, auditNotes: [], warnings: [], history };
  const auditNotes: string[] = [];
  const audit = (await storedAudit(botId, card.version, auditNotes)) ??
    fileAudit(dir, modelPath, card, auditNotes) ?? { kind: 'none' as const, command: `npm run audit -- --model ${modelPath} --bot ${botId}` };
  return { bots, bot, active: shown, modelPath, card, cardProblem: null, audit, auditNotes, warnings: audit.kind === 'none' ? [] : pageWarnings(audit.report), history };
}

function readCard(dir: string, modelPath: string, hash: string): { card: ModelCardView | null; problem: string | null } {
  let parsed;
  try {
    parsed = readModelCard(dir);
  } catch (error) {
    return { card: null, problem: `The model card in ${modelPath} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!parsed) return { card: null, problem: `The active model version's files are not in the model store: ${modelPath}/model-card.json is not there.` };
  const raw = parsed.raw;
  const metrics = record(raw.metrics);
  const training = record(raw.training);
  const exported = record(raw.export);
  return {
    card: {
      name: parsed.name,
      version: hash,
      cardVersion: modelVersion(parsed),
      language: parsed.language,
      created: typeof raw.created === 'string' ? raw.created.slice(0, 40) : null,
      intents: parsed.labels.length,
      figures: {
        split: typeof metrics.split === 'string' ? metrics.split.slice(0, 40) : null,
        rows: finite(metrics.n),
        accuracy: finite(metrics.accuracy),
        macroF1: finite(metrics.macro_f1),
        eceBefore: finite(metrics.ece_before_calibration),
        eceAfter: finite(metrics.ece_after_calibration),
        outOfScopeRecall: finite(metrics.oos_recall),
        inScopeFalseRejection: finite(metrics.in_scope_false_rejection),
      },
      training: {
        rows: finite(training.rows),
        dataSha256: typeof training.data_sha256 === 'string' ? training.data_sha256.slice(0, 64) : null,
        parameters: finite(training.parameters),
        downloadBytes: finite(exported.browser_download_bytes),
        seconds: finite(training.seconds),
      },
      settings: Object.entries(record(training.settings))
        .slice(0, MAX_SETTINGS)
        .map(([name, setting]) => {
          const { value, rule } = record(setting);
          return { name: name.slice(0, 80), value: settingValue(value), rule: typeof rule === 'string' ? rule.slice(0, MAX_SETTING_TEXT) : null };
        }),
      warnings: Array.isArray(raw.warnings) ? raw.warnings.slice(0, 50).map((warning) => (typeof warning === 'string' ? warning : JSON.stringify(warning) ?? '').slice(0, MAX_SETTING_TEXT)) : [],
    },
    problem: null,
  };
}

async function storedAudit(botId: string, version: string, notes: string[]): Promise<AuditSource | null> {
  const row = await latestAudit(botId, version);
  if (!row) return null;
  const parsed = auditReportSchema.safeParse(row.report);
  if (!parsed.success) {
    notes.push(`The stored audit of ${row.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC cannot be read (${issues(parsed.error.issues)}).`);
    return null;
  }
  return { kind: 'stored', report: parsed.data, id: row.id, storedAt: row.createdAt };
}

/**
 * The report `npm run audit` wrote into the version's folder, when it is of this version: it
 * names the version's hash, or (a report made before versions had hashes) the card's version.
 * `audit.json` is left out of the hash, so the file beside a model can be of another model.
 */
function fileAudit(dir: string, modelPath: string, card: Pick<ModelCardView, 'version' | 'cardVersion'>, notes: string[]): AuditSource | null {
  const file = path.join(dir, 'audit.json');
  const shown = `${modelPath}/audit.json`;
  if (!existsSync(/*turbopackIgnore: true*/ file)) return null;
  if (statSync(/*turbopackIgnore: true*/ file).size > MAX_AUDIT_FILE_BYTES) {
    notes.push(`${shown} is larger than ${MAX_AUDIT_FILE_BYTES / 1024 / 1024} MB and was not read.`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(/*turbopackIgnore: true*/ file, 'utf8'));
  } catch {
    notes.push(`${shown} is not JSON.`);
    return null;
  }
  const parsed = auditReportSchema.safeParse(json);
  if (!parsed.success) {
    notes.push(`${shown} is not an audit report this page can read (${issues(parsed.error.issues)}).`);
    return null;
  }
  const { hash, version } = parsed.data.model;
  if (hash !== undefined ? hash !== card.version : version !== card.cardVersion) {
    notes.push(`${shown} is of model version ${hash?.slice(0, 12) ?? version}, not the version served (${card.version.slice(0, 12)}): it is not shown.`);
    return null;
  }
  return { kind: 'file', report: parsed.data, file: shown };
}

/** An invariance type over the flip-rate threshold (the report's flag, or its figure). */
export const flipRateCrossed = (row: InvarianceRow): boolean => row.warn || row.flipRate.value > AUDIT_THRESHOLDS.maxFlipRate;

/** An attribute under the four-fifths rule (the report's flag, or its figure). */
export const disparateImpactCrossed = (row: FairnessRow): boolean => row.fourFifthsViolated || row.disparateImpact.value < AUDIT_THRESHOLDS.minDisparateImpact;

function sectionOf(warning: Pick<AuditWarning, 'kind' | 'subject'>): AuditAnchor {
  if (warning.kind === 'flip_rate') return warning.subject === 'negation' ? 'audit-negation' : 'audit-invariance';
  if (warning.kind === 'disparate_impact') return 'audit-fairness';
  if (warning.kind === 'missing_list') return 'audit-lists';
  if ((INVARIANCE_TYPES as readonly string[]).includes(warning.subject)) return 'audit-invariance';
  if ((IDENTITY_ATTRIBUTES as readonly string[]).includes(warning.subject)) return 'audit-fairness';
  if (warning.subject === 'negation') return 'audit-negation';
  return 'audit-about';
}

/**
 * The warnings at the top of the page: the report's own, then every threshold its figures cross
 * that the report did not name (so a report with a short warning list still shows them).
 */
export function pageWarnings(report: AuditReport): PageWarning[] {
  const warnings: PageWarning[] = report.warnings.map((warning) => ({ kind: warning.kind, subject: warning.subject, message: warning.message, section: sectionOf(warning) }));
  const named = (kind: AuditWarning['kind'], subject: string) => report.warnings.some((warning) => warning.kind === kind && warning.subject === subject);
  for (const row of report.invariance) {
    if (flipRateCrossed(row) && !named('flip_rate', row.type)) {
      warnings.push({ kind: 'flip_rate', subject: row.type, section: 'audit-invariance', message: `${INVARIANCE_LABELS[row.type]}: the answer changed for ${(row.flipRate.value * 100).toFixed(1)} % of ${row.cases} variants (over ${AUDIT_THRESHOLDS.maxFlipRate * 100} %).` });
    }
  }
  for (const row of report.fairness) {
    if (disparateImpactCrossed(row) && !named('disparate_impact', row.attribute)) {
      warnings.push({ kind: 'disparate_impact', subject: row.attribute, section: 'audit-fairness', message: `${ATTRIBUTE_LABELS[row.attribute]}: Disparate Impact ${row.disparateImpact.value.toFixed(2)} is under ${AUDIT_THRESHOLDS.minDisparateImpact} (the four-fifths rule).` });
    }
  }
  for (const list of report.lists.missing) {
    if (!named('missing_list', list)) warnings.push({ kind: 'missing_list', subject: list, section: 'audit-lists', message: `No ${list} word list for ${report.lists.language}: that suite did not run.` });
  }
  return warnings;
}

/** The prediction and explanations of one side of a flip, as the stored why-panel takes them; null when the audit computed none. */
export type FlipSide = { text: string; prediction: { intent: string; confidence: number; topK: { intent: string; probability: number }[] }; explanations: unknown[] };

export function flipSides(flip: Flip): { original: FlipSide; variant: FlipSide } | null {
  if (!flip.explanations) return null;
  // The variant's confidence in its own answer is what its explanations were made for (their target).
  const variantConfidence = targetProbability(flip.explanations.variant, flip.variantIntent);
  const variantTopK = [
    ...(variantConfidence === null ? [] : [{ intent: flip.variantIntent, probability: variantConfidence }]),
    ...(flip.variantIntent === flip.originalIntent ? [] : [{ intent: flip.originalIntent, probability: flip.variantP }]),
  ].sort((a, b) => b.probability - a.probability);
  return {
    original: { text: flip.original, prediction: { intent: flip.originalIntent, confidence: flip.originalP, topK: [{ intent: flip.originalIntent, probability: flip.originalP }] }, explanations: flip.explanations.original },
    variant: { text: flip.variant, prediction: { intent: flip.variantIntent, confidence: variantConfidence ?? Number.NaN, topK: variantTopK }, explanations: flip.explanations.variant },
  };
}

function targetProbability(explanations: readonly unknown[], intent: string): number | null {
  for (const explanation of explanations) {
    const target = record(record(explanation).target);
    if (target.label === intent && typeof target.probability === 'number' && target.probability >= 0 && target.probability <= 1) return target.probability;
  }
  return null;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function settingValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'string') return value.slice(0, MAX_SETTING_TEXT);
  if (typeof value === 'number') return String(value);
  return (JSON.stringify(value) ?? '—').slice(0, MAX_SETTING_TEXT);
}

function issues(list: readonly { path: PropertyKey[]; message: string }[]): string {
  return list
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
