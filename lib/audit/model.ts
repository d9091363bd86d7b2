// The audit's view of an exported model folder (Node): the real model as an `AuditClassifier`
// (the same lib/model code the chat and the server run, with the card's policy and readability
// rule), its name and version (the content hash, as the model store names it), and how an
// explanation of one of its texts is fitted to that text once masked, as the server fits a
// posted one (lib/ingest/fit-explanation.ts).
import 'server-only';
import path from 'node:path';
import { isBotId, isVersionHash } from '@/lib/bot/registry';
import { explainAll, type Explanation } from '@/lib/explain';
import { fitExplanation } from '@/lib/ingest/fit-explanation';
import { DEFAULT_LANGUAGE, modelVersion } from '@/lib/model/card';
import { loadModelFromDir, readSimilarIndex } from '@/lib/model/node';
import { trainingCharacters } from '@/lib/model/readability';
import type { ModelCard } from '@/lib/model/types';
import { contentHash } from '@/lib/model/versions';
import { explanationSchema } from '@/lib/records/explanation';
import { folderFacts } from '@/lib/verify/bots';
import type { AuditClassifier } from './classifier';

export interface AuditModel {
  dir: string;
  card: ModelCard | null;
  name: string;
  /** The model version: the content hash of the folder's files (what predictions name and audits are stored under). */
  version: string;
  /** The version the card names (lib/model/card.ts `modelVersion`), which the report keeps as `model.version`. */
  cardVersion: string;
  /** The bot the folder is a model of (`openAuditModel`'s `botId`, else read from its path); null when neither says. */
  botId: string | null;
  classifier: AuditClassifier;
  /**
   * `explanation` as stored for `maskedText` (the text it explains with personal data masked):
   * checked against the model and its words and visitor text taken from the masked text; null
   * when it does not fit.
   */
  fit: (explanation: unknown, maskedText: string) => Explanation | null;
  /** False when no bot is known for the folder, so no explanation can be fitted (and none is kept). */
  fitsExplanations: boolean;
  dispose(): Promise<void>;
}

/**
 * The bot a model folder belongs to, read from its path: a store folder `<store>/<botId>/<hash>/`
 * names it in its parent, an exported one `public/models/<botId>/` in its own name. Null when
 * the path says neither.
 */
export function botIdOfModelFolder(dir: string): string | null {
  const abs = path.resolve(dir);
  const name = path.basename(abs);
  const parent = path.basename(path.dirname(abs));
  if (isVersionHash(name)) return isBotId(parent) ? parent : null;
  return isBotId(name) ? name : null;
}

/** Opens the model folder `dir` of bot `botId` (else the bot its path names, `botIdOfModelFolder`). */
export async function openAuditModel(dir: string, options: { botId?: string } = {}): Promise<AuditModel> {
  const abs = path.resolve(dir);
  const version = contentHash(abs);
  const model = await loadModelFromDir(abs);
  const card = model.card;
  const similar = readSimilarIndex(abs, model.labels);
  const botId = options.botId ?? botIdOfModelFolder(abs);
  // The facts the server checks records of this version against, read from this folder.
  const facts = botId === null ? null : folderFacts(botId, abs, version);
  const classifier: AuditClassifier = {
    labels: model.labels,
    outOfScopeLabel: card?.outOfScopeLabel ?? null,
    thresholds: card?.thresholds ?? { outOfScope: 0, ambiguityMargin: 0 },
    language: card?.language ?? DEFAULT_LANGUAGE,
    characters: trainingCharacters(card, () => model.tokenizer.get_vocab().keys()),
    predict: model.predict,
    async explain(text, target, budgetMs, predict) {
      const analysis = await model.analyse(text);
      return explainAll(
        {
          text,
          words: analysis.words,
          predict,
          labels: model.labels,
          target,
          analysis,
          ...(similar ? { similar: (embedding: number[], k: number) => similar.search(embedding, k) } : {}),
        },
        // An ensemble stacks its models' attention layers; attention and rollout treat each model apart.
        { budgetMs, ensembleMembers: (model.model.config as unknown as { ensemble_members?: number }).ensemble_members ?? 1 },
      );
    },
  };
  return {
    dir: abs,
    card,
    name: card?.name || path.basename(abs),
    version,
    cardVersion: card ? modelVersion(card) : 'unknown',
    botId,
    classifier,
    fit(explanation, maskedText) {
      if (!facts) return null;
      const record = explanationSchema.safeParse(explanation);
      if (!record.success) return null;
      const fitted = fitExplanation(record.data, maskedText, facts);
      return fitted.ok ? fitted.explanation : null;
    },
    fitsExplanations: facts !== null,
    dispose: () => model.dispose(),
  };
}
