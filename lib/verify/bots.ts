import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readModelCard } from '@/lib/model/node';
import { trainingCharacters } from '@/lib/model/readability';
import type { Thresholds } from '@/lib/model/types';
import { activeVersion, contentHash, storedVersion, versionDir } from '@/lib/model/versions';
import { isBotId, resolveBot, type Bot } from '@/lib/bot/registry';

/**
 * What the server knows of a model version of a bot from its folder, without loading the model:
 * its labels, its version (the content hash), the policy's thresholds, the shape of its attention
 * and the questions of its similar-questions index. Records are checked against these facts on
 * ingest (a reported intent must be one of the labels of the version the record names). A stored
 * version's files never change, so its facts are read once per process (`versionFacts`); which
 * version is active is asked of the database each time (`activeFacts`).
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

/** Stored versions' facts kept in memory at once (each holds its similar-questions index). */
const MAX_CACHED_VERSIONS = 8;
/** By store folder, least recently used first. */
const cache = new Map<string, BotFacts>();

/**
 * The facts of the model folder `dir` as a version of bot `botId`: its content hash is `version`
 * when the caller knows it (a store folder is named by it), else computed from the files. Read
 * each call: any folder (a training run's output, a candidate before it is stored). Null when
 * the folder has no model card.
 */
export function folderFacts(botId: string, dir: string, version?: string): BotFacts | null {
  if (!existsSync(/*turbopackIgnore: true*/ path.join(dir, 'model-card.json'))) return null;
  return readBotFacts(botId, dir, version ?? contentHash(dir));
}

/**
 * The facts of version `hash` of bot `botId` from its folder in the model store (`store`, else
 * MODEL_STORE_DIR), or null when the store has no such folder (or the strings are no bot id or
 * no hash). Whether the version is retired is not looked at here (see `recordFacts`).
 */
export function versionFacts(botId: string, hash: string, store?: string): BotFacts | null {
  const dir = versionDir(botId, hash, store);
  if (dir === null) return null;
  const cached = cache.get(dir);
  if (cached) {
    cache.delete(dir);
    cache.set(dir, cached);
    return cached;
  }
  const facts = folderFacts(botId, dir, hash);
  if (!facts) return null;
  if (cache.size >= MAX_CACHED_VERSIONS) cache.delete(cache.keys().next().value!);
  cache.set(dir, facts);
  return facts;
}

/** The facts of the bot's active version (stored from the bundled folder on first use), or null when it has none. */
export async function activeFacts(botId: string): Promise<BotFacts | null> {
  if (!isBotId(botId)) return null;
  const active = await activeVersion(botId);
  return active ? versionFacts(botId, active.hash) : null;
}

export type RecordFacts = { facts: BotFacts; named: boolean; stored: boolean };

/**
 * What a record naming version `version` of bot `botId` is checked against: that version's facts
 * when it is stored and not retired (`named`), else the active version's, so a record of an
 * unknown or retired version is still checked and stored, and its verification then says why it
 * failed. `stored`: the version is one of the bot's stored versions (retired or not), so its name
 * is an id, not free text. Null when the bot has no model version at all. `active`: the active
 * version's facts, for a caller that checks many records and asks for them once.
 */
export async function recordFacts(
  botId: string,
  version: string | null,
  active: () => Promise<BotFacts | null> = () => activeFacts(botId),
): Promise<RecordFacts | null> {
  if (!isBotId(botId)) return null;
  const found = version === null ? null : await storedVersion(botId, version);
  if (found && !found.retiredAt) {
    const facts = versionFacts(botId, found.hash);
    if (facts) return { facts, named: true, stored: true };
  }
  const facts = await active();
  return facts ? { facts, named: false, stored: found !== null } : null;
}

function readBotFacts(botId: string, dir: string, version: string): BotFacts {
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
    version,
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

/** The registry's view of bot `botId` with its active version's facts (none when it has no model version). */
export async function activeBot(botId: string): Promise<Bot> {
  return resolveBot(botId, await activeFacts(botId));
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
 * active version and of the version the prediction names (`version`, when it is a stored version
 * of the bot: an older prediction can still be marked correct), plus the label a review stores
 * for out of scope (`Bot.reviewOutOfScopeLabel`). "Mark correct" keeps the intent the browser
 * reported, which is only a label when a model has it: checked against this set, so no string a
 * client made up becomes training data. Empty for a bot with no model version.
 */
export async function reviewLabels(botId: string, version: string | null = null): Promise<ReadonlySet<string>> {
  const active = await activeFacts(botId);
  if (!active) return new Set();
  const named = version !== null && version !== active.version && (await storedVersion(botId, version)) ? versionFacts(botId, version) : null;
  return new Set([...active.labels, ...(named?.labels ?? []), resolveBot(botId, active).reviewOutOfScopeLabel]);
}
