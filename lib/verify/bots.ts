import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { modelVersion } from '@/lib/model/card';
import { readModelCard } from '@/lib/model/node';
import type { Thresholds } from '@/lib/model/types';

/**
 * What the server knows of a bot from its model folder (`public/models/<botId>/`), without
 * loading the model: its labels, the version it serves, the policy's thresholds, the shape of
 * its attention and the questions of its similar-questions index. Records are checked against
 * these facts on ingest (a reported intent must be one of the labels). Read once per process
 * and folder; a folder that is not there is looked for again on the next request.
 */
export type BotFacts = {
  botId: string;
  version: string;
  labels: readonly string[];
  labelIndex: ReadonlyMap<string, number>;
  outOfScopeLabel: string | null;
  thresholds: Thresholds;
  /** Model input positions: no explanation has more tokens. */
  maxTokens: number;
  /** Attention layers the model returns (every ensemble member's, stacked) and heads per layer. */
  attentionLayers: number;
  attentionHeads: number;
  /** The similar-questions index: each question's text and label (null when the bot has none). */
  similarQuestions: ReadonlyMap<string, ReadonlySet<string>> | null;
};

export const defaultModelsDir = (): string => path.join(process.cwd(), 'public', 'models');

const cache = new Map<string, BotFacts>();

/** The facts of bot `botId`, or null when no model is served for it. */
export function botFacts(botId: string, modelsDir = defaultModelsDir()): BotFacts | null {
  // Bot ids are validated as [\w-]+ by the record schema; checked again so the path stays inside modelsDir.
  if (!/^[\w-]{1,50}$/.test(botId)) return null;
  const dir = path.join(modelsDir, botId);
  const cached = cache.get(dir);
  if (cached) return cached;
  if (!existsSync(/*turbopackIgnore: true*/ path.join(dir, 'model-card.json'))) return null;
  const facts = readBotFacts(botId, dir);
  cache.set(dir, facts);
  return facts;
}

function readBotFacts(botId: string, dir: string): BotFacts {
  const card = readModelCard(dir)!;
  const config = readJsonFile(path.join(dir, 'config.json')) as Record<string, unknown> | null;
  const layers = positiveInt(config?.num_hidden_layers, 64);
  const members = positiveInt(config?.ensemble_members, 1);
  const similar = readJsonFile(path.join(dir, 'similar-index.json')) as { texts?: unknown; labels?: unknown } | null;
  let similarQuestions: Map<string, Set<string>> | null = null;
  if (similar && Array.isArray(similar.texts) && Array.isArray(similar.labels)) {
    similarQuestions = new Map();
    similar.texts.forEach((text, i) => {
      const label = card.labels[Number((similar.labels as unknown[])[i])];
      if (typeof text !== 'string' || label === undefined) return;
      const labels = similarQuestions!.get(text) ?? new Set<string>();
      labels.add(label);
      similarQuestions!.set(text, labels);
    });
  }
  return {
    botId,
    version: modelVersion(card),
    labels: card.labels,
    labelIndex: new Map(card.labels.map((label, i) => [label, i])),
    outOfScopeLabel: card.outOfScopeLabel,
    thresholds: card.thresholds,
    maxTokens: positiveInt(config?.max_position_embeddings, 512),
    attentionLayers: layers * members,
    attentionHeads: positiveInt(config?.num_attention_heads, 64),
    similarQuestions,
  };
}

function readJsonFile(file: string): unknown {
  if (!existsSync(/*turbopackIgnore: true*/ file)) return null;
  return JSON.parse(readFileSync(/*turbopackIgnore: true*/ file, 'utf8'));
}

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
