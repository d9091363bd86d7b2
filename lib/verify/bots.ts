import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { modelVersion } from '@/lib/model/card';
import { readModelCard } from '@/lib/model/node';
import { trainingCharacters } from '@/lib/model/readability';
import type { Thresholds } from '@/lib/model/types';
import { isBotId, resolveBot, type Bot } from '@/lib/bot/registry';

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
  /** The bot's language (BCP 47), from the card; `en` when the card names none. */
  language: string;
  /**
   * The characters of the model's training texts (the card's script profile, else the
   * single-character entries of `tokenizer.json`'s vocabulary): what says whether the model can
   * read a message (lib/model/readability.ts).
   */
  characters: string;
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

/**
 * The folder on disk the browser's `/models/<botId>/` is served from, or null for a string that
 * is not a bot id (checked so the path stays inside `modelsDir`).
 */
export function modelDir(botId: string, modelsDir = defaultModelsDir()): string | null {
  return isBotId(botId) ? path.join(modelsDir, botId) : null;
}

/** The facts of bot `botId`, or null when no model is served for it. */
export function botFacts(botId: string, modelsDir = defaultModelsDir()): BotFacts | null {
  const dir = modelDir(botId, modelsDir);
  if (dir === null) return null;
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
    language: card.language,
    characters: trainingCharacters(card, () => tokenizerVocabulary(path.join(dir, 'tokenizer.json'))),
    thresholds: card.thresholds,
    maxTokens: positiveInt(config?.max_position_embeddings, 512),
    attentionLayers: layers * members,
    attentionHeads: positiveInt(config?.num_attention_heads, 64),
    similarQuestions,
  };
}

/** The registry's view of bot `botId` with the facts of the model served for it (none when no model is). */
export function servedBot(botId: string, modelsDir = defaultModelsDir()): Bot {
  return resolveBot(botId, botFacts(botId, modelsDir));
}

function readJsonFile(file: string): unknown {
  if (!existsSync(/*turbopackIgnore: true*/ file)) return null;
  return JSON.parse(readFileSync(/*turbopackIgnore: true*/ file, 'utf8'));
}

/** The tokens of a `tokenizer.json`'s vocabulary (a WordPiece model's `model.vocab`); none when there is no such file. */
function tokenizerVocabulary(file: string): string[] {
  const tokenizer = readJsonFile(file) as { model?: { vocab?: unknown } } | null;
  const vocab = tokenizer?.model?.vocab;
  return vocab && typeof vocab === 'object' && !Array.isArray(vocab) ? Object.keys(vocab) : [];
}

function positiveInt(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * The labels a review may give a message of `botId`'s conversations: the labels of the bot's
 * model (read once per process with everything else ingest checks records against), plus the
 * label a review stores for out of scope (`Bot.reviewOutOfScopeLabel`). "Mark correct" keeps
 * the intent the browser reported, which is only a label when the model has it: checked against
 * this set, so no string a client made up becomes training data. Empty for a bot with no model
 * served here.
 */
export function reviewLabels(botId: string): ReadonlySet<string> {
  const facts = botFacts(botId);
  return new Set(facts ? [...facts.labels, servedBot(botId).reviewOutOfScopeLabel] : []);
}
