// Reads model-card.json written by the training pipeline. Policy-free: it only
// exposes labels, temperature and thresholds; lib/bot decides what to do with them.
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

/** Fetches and parses `<modelUrl>/model-card.json` (browser or Node with fetch). */
export async function fetchModelCard(modelUrl: string): Promise<ModelCard> {
  const res = await fetch(`${modelUrl.replace(/\/$/, '')}/model-card.json`);
  if (!res.ok) throw new ModelCardError(`model card: HTTP ${res.status} for ${res.url}`);
  return parseModelCard(await res.json());
}
