// Node-only loading of an exported model folder (eval CLI, server-side
// verification, tests). The browser uses model.ts with fetch instead.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { env } from '@huggingface/transformers';
// The folder is the caller's choice, so these reads carry /*turbopackIgnore*/: otherwise a route
// that loads a model would trace the whole project into its deployment. Routes name what they
// ship in next.config.mjs (outputFileTracingIncludes).

import { parseModelCard } from './card';
import { IntentModel } from './model';
import { parseSimilarIndex, type SimilarIndex, type SimilarIndexMeta } from './similar';
import type { LoadOptions, ModelCard } from './types';

let configured = false;
function configureOffline(): void {
  if (configured) return;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  configured = true;
}

export function readModelCard(dir: string): ModelCard | null {
  const file = path.join(dir, 'model-card.json');
  if (!existsSync(/*turbopackIgnore: true*/ file)) return null;
  return parseModelCard(JSON.parse(readFileSync(/*turbopackIgnore: true*/ file, 'utf8')));
}

/** Loads `dir` (absolute or relative to the working directory) with its model card. */
export async function loadModelFromDir(dir: string, options: LoadOptions = {}): Promise<IntentModel> {
  configureOffline();
  const abs = path.resolve(/*turbopackIgnore: true*/ dir);
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    if (!existsSync(/*turbopackIgnore: true*/ path.join(/*turbopackIgnore: true*/ abs, f))) throw new Error(`${abs} is not a model folder: ${f} is missing`);
  }
  // An absolute path is not a hub id, so transformers.js reads the files as they are.
  return IntentModel.load(abs, { device: 'cpu', ...options, card: readModelCard(abs) });
}

export function readSimilarIndex(dir: string, labels: string[]): SimilarIndex | null {
  const meta = path.join(dir, 'similar-index.json');
  if (!existsSync(/*turbopackIgnore: true*/ meta)) return null;
  const m = JSON.parse(readFileSync(/*turbopackIgnore: true*/ meta, 'utf8')) as SimilarIndexMeta;
  return parseSimilarIndex(m, readFileSync(/*turbopackIgnore: true*/ path.join(dir, 'similar-index.bin')), labels);
}
