// Reads model-card.json written by the training pipeline. Policy-free: it only
// exposes labels, temperature and thresholds; lib/bot decides what to do with them.
import { z } from 'zod';
import { auditSummarySchema, type AuditSummary } from '@/lib/audit/report';
import type { ModelCard } from './types';

export class ModelCardError extends Error {}

/** The language of a model card that does not name one (cards written before the pipeline recorded it). */
export const DEFAULT_LANGUAGE = 'en';

/**
 * The language a model card names (`language`, a BCP 47 tag), canonicalised; `en` when the card
 * names none. A card that names something else is refused, as the card reader refuses any
 * malformed field.
 */
export function cardLanguage(raw: Readonly<Record<string, unknown>>): string {
  const value = raw.language;
  if (value === undefined || value === null) return DEFAULT_LANGUAGE;
  if (typeof value !== 'string' || value.length > 35) throw new ModelCardError('model card: language must be a BCP 47 language tag');
  try {
    return Intl.getCanonicalLocales(value)[0]!;
  } catch {
    throw new ModelCardError(`model card: language ${JSON.stringify(value)} is not a BCP 47 language tag`);
  }
}

/**
 * The most distinct characters a script profile may list: every letter and digit of a
 * CJK training set fits many times over, and a hostile card cannot make the reader hold more.
 */
export const MAX_PROFILE_CHARACTERS = 60_000;

/**
 * `training.script_profile` as the training pipeline writes it: the share of the training
 * texts' letters per Unicode script, and every distinct letter or digit they hold after the
 * tokenizer's normalisation, sorted by code point (lib/model/readability.ts reads them).
 */
const scriptProfileSchema = z.object({
  scripts: z
    .record(z.string().min(1).max(40), z.number().min(0).max(1))
    .refine((scripts) => Object.keys(scripts).length <= 64, { message: 'names at most 64 scripts' }),
  characters: z.string().max(4 * MAX_PROFILE_CHARACTERS),
});
export type ScriptProfile = z.infer<typeof scriptProfileSchema>;

const profiles = new WeakMap<object, ScriptProfile | null>();

/**
 * The card's training script profile, or null for a card written before the pipeline recorded
 * one. A malformed profile is refused like any malformed field of the card.
 */
export function scriptProfileOf(card: Pick<ModelCard, 'raw'>): ScriptProfile | null {
  const cached = profiles.get(card.raw);
  if (cached !== undefined) return cached;
  const training = card.raw.training;
  const raw = training && typeof training === 'object' ? (training as Record<string, unknown>).script_profile : undefined;
  let profile: ScriptProfile | null = null;
  if (raw !== undefined && raw !== null) {
    const parsed = scriptProfileSchema.safeParse(raw);
    if (!parsed.success) throw new ModelCardError(`model card: training.script_profile ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ')}`);
    if (Array.from(parsed.data.characters).length > MAX_PROFILE_CHARACTERS) throw new ModelCardError(`model card: training.script_profile.characters lists more than ${MAX_PROFILE_CHARACTERS} characters`);
    profile = parsed.data;
  }
  profiles.set(card.raw, profile);
  return profile;
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelCardError(`model card: ${what} must be a number`);
  return v;
}

export function parseModelCard(json: unknown): ModelCard {
  if (!json || typeof json !== 'object') throw new ModelCardError('model card: not a JSON object');
  const c = json as Record<string, unknown>;
  const labels = c.labels;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l: unknown): l is string => typeof l === 'string')) {
    throw new ModelCardError('model card: labels must be a list of at least two strings');
  }
  const t = (c.thresholds ?? {}) as Record<string, unknown>;
  const m = (c.metrics ?? {}) as Record<string, unknown>;
  const oos = typeof c.out_of_scope_label === 'string' ? c.out_of_scope_label : null;
  if (oos !== null && !labels.includes(oos)) throw new ModelCardError(`model card: out-of-scope label "${oos}" is not one of the labels`);
  const temperature = num(c.temperature ?? 1, 'temperature');
  if (temperature <= 0) throw new ModelCardError('model card: temperature must be positive');
  // Checked now, so a malformed profile stops loading rather than the first message.
  scriptProfileOf({ raw: c });
  return {
    name: String(c.name ?? ''),
    labels,
    outOfScopeLabel: oos,
    language: cardLanguage(c),
    temperature,
    thresholds: {
      outOfScope: num(t.out_of_scope ?? 0, 'thresholds.out_of_scope'),
      ambiguityMargin: num(t.ambiguity_margin ?? 0, 'thresholds.ambiguity_margin'),
    },
    metrics: {
      split: String(m.split ?? ''),
      accuracy: Number(m.accuracy ?? NaN),
      macroF1: Number(m.macro_f1 ?? NaN),
      eceBeforeCalibration: Number(m.ece_before_calibration ?? NaN),
      eceAfterCalibration: Number(m.ece_after_calibration ?? NaN),
    },
    raw: c,
  };
}

/**
 * The version a prediction record names: the card's `version` if the pipeline wrote one, else
 * its creation time (a retrained model gets a new one). The browser reports it with every
 * prediction and the server checks it against the model it serves.
 */
export function modelVersion(card: ModelCard): string {
  return String(card.raw.version ?? card.raw.created ?? card.name);
}

/**
 * The summary of the model's behavioural audit (`audit`, written by `npm run train` or `npm run
 * audit -- --card`), or null when the card has none. Unlike the fields the chat needs, a summary
 * this build cannot read does not stop the model from loading: it is only shown, so it reads as
 * none.
 */
export function cardAudit(card: Pick<ModelCard, 'raw'>): AuditSummary | null {
  const parsed = auditSummarySchema.safeParse(card.raw.audit);
  return parsed.success ? parsed.data : null;
}

/** Fetches and parses `<modelUrl>/model-card.json` (browser or Node with fetch). */
export async function fetchModelCard(modelUrl: string): Promise<ModelCard> {
  const res = await fetch(`${modelUrl.replace(/\/$/, '')}/model-card.json`);
  if (!res.ok) throw new ModelCardError(`model card: HTTP ${res.status} for ${res.url}`);
  return parseModelCard(await res.json());
}
