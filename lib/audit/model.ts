// The audit's view of an exported model folder (Node): the real model as an `AuditClassifier`
// (the same lib/model code the chat and the server run, with the card's policy and readability
// rule), its name and version, and how an explanation of one of its texts is fitted to that
// text once masked, as the server fits a posted one (lib/ingest/fit-explanation.ts).
import 'server-only';
import path from 'node:path';
import { explainAll, type Explanation } from '@/lib/explain';
import { fitExplanation } from '@/lib/ingest/fit-explanation';
import { DEFAULT_LANGUAGE, modelVersion } from '@/lib/model/card';
import { loadModelFromDir, readSimilarIndex } from '@/lib/model/node';
import { trainingCharacters } from '@/lib/model/readability';
import type { ModelCard } from '@/lib/model/types';
import { explanationSchema } from '@/lib/records/explanation';
import { botFacts } from '@/lib/verify/bots';
import type { AuditClassifier } from './classifier';

export interface AuditModel {
  dir: string;
  card: ModelCard | null;
  name: string;
  version: string;
  classifier: AuditClassifier;
  /**
   * `explanation` as stored for `maskedText` (the text it explains with personal data masked):
   * checked against the model and its words and visitor text taken from the masked text; null
   * when it does not fit.
   */
  fit: (explanation: unknown, maskedText: string) => Explanation | null;
  /** False when the folder's name is no bot id, so no explanation can be fitted (and none is kept). */
  fitsExplanations: boolean;
  dispose(): Promise<void>;
}

export async function openAuditModel(dir: string): Promise<AuditModel> {
  const abs = path.resolve(dir);
  const model = await loadModelFromDir(abs);
  const card = model.card;
  const similar = readSimilarIndex(abs, model.labels);
  // The facts the server checks records against, read from this folder (its name as the bot's).
  const facts = botFacts(path.basename(abs), path.dirname(abs));
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
    version: card ? modelVersion(card) : 'unknown',
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
