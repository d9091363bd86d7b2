import { DEFAULT_LANGUAGE } from '@/lib/model/card';
import { DEFAULT_OUT_OF_SCOPE_NAMES, humanizeIntent, intentLabel, knownBots, loadBotContent, type BotContent } from './answers';

/**
 * The bot registry: everything bot-specific, resolved from a bot id and what its model card
 * says. Usable in the browser and on the server; the server reads the card of a stored version
 * from disk in `lib/verify/bots.ts` (`versionFacts`, `activeFacts`, `activeBot`), the browser's
 * worker fetches it from `versionUrl(id, hash)`.
 */

/** The training pipeline's name for an out-of-scope row (training/README.md, "Input"). */
export const TRAINING_OUT_OF_SCOPE_LABEL = 'out_of_scope';

/** What the registry needs of a bot's model card (as `lib/model/card` parses it). */
export type BotCardFacts = { outOfScopeLabel: string | null; language: string };

export type Bot = {
  id: string;
  /** Answers and display names; null for an id this build has no answers for (a stored conversation of a bot since removed). */
  content: BotContent | null;
  /** What the bot is called in the chat and the admin. */
  displayName: string;
  /** Where the browser loads the model folder from. */
  modelUrl: string;
  /** The model's out-of-scope class as its card names it; null when it has none or no card is known. */
  outOfScopeLabel: string | null;
  /**
   * What "out of scope" is stored as when an operator relabels a message, and so what the
   * training export writes: the model's own out-of-scope label (the pipeline wrote it from the
   * training data, so the pipeline reads it back as out of scope), or the pipeline's name for a
   * model that has no such class yet.
   */
  reviewOutOfScopeLabel: string;
  /** The bot's language (a BCP 47 tag), from its model card. */
  language: string;
  /** Whether `intent` is the bot's out-of-scope class (`reviewOutOfScopeLabel`, or a name the bot's answers list for it). */
  isOutOfScope(intent: string): boolean;
  /** The display name of an intent for a customer or an operator. */
  labelOf(intent: string, reader?: 'customer' | 'operator'): string;
};

/** Ids are path segments (`/models/<id>/`) and are stored with every conversation. */
export const BOT_ID = /^[\w-]{1,50}$/;

export const isBotId = (id: string): boolean => BOT_ID.test(id);

export const isKnownBot = (id: string): boolean => knownBots().includes(id);

/** The public path of a bot's model folder, which the browser loads. */
export function modelUrl(botId: string): string {
  if (!isBotId(botId)) throw new Error(`Not a bot id: ${JSON.stringify(botId)}`);
  return `/models/${botId}/`;
}

/** A model version's id: the SHA-256 (hex) of its files (lib/model/versions.ts `contentHash`). */
export const VERSION_HASH = /^[0-9a-f]{64}$/;

export const isVersionHash = (value: string): boolean => VERSION_HASH.test(value);

/**
 * The public path of one stored version of a bot's model. Content-addressed: the files under it
 * never change, so the browser may cache them for good, and a promotion is a new URL.
 */
export function versionUrl(botId: string, hash: string): string {
  if (!isVersionHash(hash)) throw new Error(`Not a model version: ${JSON.stringify(hash)}`);
  return `${modelUrl(botId)}${hash}/`;
}

/** A version as people read it: the hash's first 12 characters (a version that is no hash, as it is). */
export const shortVersion = (version: string): string => (isVersionHash(version) ? version.slice(0, 12) : version);

/**
 * Resolves a bot from its id and, when known, its model card's facts. An id with no answers in
 * this build resolves honestly (no content; intents shown by readable forms of their names)
 * instead of borrowing another bot's.
 */
export function resolveBot(id: string, card: BotCardFacts | null = null): Bot {
  const content = isKnownBot(id) ? loadBotContent(id) : null;
  const outOfScopeLabel = card?.outOfScopeLabel ?? null;
  const reviewOutOfScopeLabel = outOfScopeLabel ?? TRAINING_OUT_OF_SCOPE_LABEL;
  const isOutOfScope = (intent: string) => intent === reviewOutOfScopeLabel || (content?.outOfScope.intents.includes(intent) ?? false);
  const outOfScopeNames = content?.outOfScope ?? DEFAULT_OUT_OF_SCOPE_NAMES;
  return {
    id,
    content,
    displayName: content?.name ?? id,
    modelUrl: modelUrl(id),
    outOfScopeLabel,
    reviewOutOfScopeLabel,
    language: card?.language ?? DEFAULT_LANGUAGE,
    isOutOfScope,
    labelOf(intent, reader = 'customer') {
      if (isOutOfScope(intent)) return reader === 'operator' ? outOfScopeNames.operatorLabel : outOfScopeNames.label;
      return content ? intentLabel(content, intent, reader) : humanizeIntent(intent);
    },
  };
}
