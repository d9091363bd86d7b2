// Fills the database with a realistic prediction log for the admin dashboard.
//   npm run seed -- [--count 5000] [--explain 200] [--days 60] [--seed 1]
//                   [--bot ID] [--data FILE.csv] [--model DIR] [--synthetic]
// Messages come from the labelled questions shipped with the model (its similar-questions
// index), or from a `text,intent` CSV given with --data; predictions from the real model in
// Node (or a synthetic classifier with --synthetic, for quick large logs); explanations from
// the real explainers for --explain of them. The bot is DEFAULT_BOT unless --bot names one, and
// its model is its active version unless --model names another folder (stored as a version of
// the bot first, so that the seeded predictions name a stored version and verify). The database
// is the one DATABASE_URL names, the model store the one MODEL_STORE_DIR names.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { isKnownBot } from '@/lib/bot/registry';
import { getConfig } from '@/lib/config';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { explainAll } from '@/lib/explain';
import { DEFAULT_LANGUAGE } from '@/lib/model/card';
import { trainingCharacters } from '@/lib/model/readability';
import { loadModelFromDir, readModelCard, readSimilarIndex } from '@/lib/model/node';
import type { SimilarIndexMeta } from '@/lib/model/similar';
import { readLabelledCsv, seedLog, syntheticClassifier, type Classifier } from './seed';
import { runCli } from '@/lib/cli';
import { activeVersion, registerVersion, versionDir } from '@/lib/model/versions';

/** The labelled questions the model folder ships for "Similar questions": a data set inside the repository. */
function examplesFromModel(dir: string): { text: string; intent: string }[] {
  const card = readModelCard(dir);
  const meta = path.join(dir, 'similar-index.json');
  if (!card || !existsSync(meta)) throw new Error(`${dir} has no model card and similar-questions index to take questions from; name a CSV with --data.`);
  const { texts, labels } = JSON.parse(readFileSync(meta, 'utf8')) as SimilarIndexMeta;
  return texts.map((text, i) => ({ text, intent: card.labels[labels[i]!] ?? '' })).filter((example) => example.text.trim() && example.intent);
}

/** The real model of version `version` (its content hash) of the bot, from its folder. */
async function realClassifier(botId: string, dir: string, version: string): Promise<Classifier> {
  const model = await loadModelFromDir(dir);
  const card = model.card;
  const similar = readSimilarIndex(dir, model.labels);
  return {
    bot: botId,
    version,
    labels: model.labels,
    outOfScopeLabel: card?.outOfScopeLabel ?? null,
    thresholds: card?.thresholds ?? { outOfScope: 0, ambiguityMargin: 0 },
    language: card?.language ?? DEFAULT_LANGUAGE,
    characters: trainingCharacters(card, () => model.tokenizer.get_vocab().keys()),
    predict: (texts) => model.predict(texts),
    async explain(text, probabilities) {
      const analysis = await model.analyse(text);
      return explainAll(
        {
          text,
          words: analysis.words,
          predict: model.predict,
          labels: model.labels,
          target: probabilities.indexOf(Math.max(...probabilities)),
          analysis,
          ...(similar ? { similar: (embedding: number[], k: number) => similar.search(embedding, k) } : {}),
        },
        { settings: { lime: { samples: 300 } } },
      );
    },
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '5000' },
      explain: { type: 'string', default: '200' },
      days: { type: 'string', default: '60' },
      seed: { type: 'string', default: '1' },
      data: { type: 'string' },
      bot: { type: 'string' },
      model: { type: 'string' },
      synthetic: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('Usage: npm run seed -- [--count N≤100000] [--explain N] [--days N] [--seed N] [--bot ID] [--data FILE] [--model DIR] [--synthetic]');
    return 0;
  }
  const count = Number(values.count);
  const explain = Number(values.explain);
  const days = Number(values.days);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new Error('--count must be a whole number from 1 to 100000.');
  if (!Number.isInteger(explain) || explain < 0 || explain > count) throw new Error('--explain must be a whole number from 0 to --count.');
  if (!Number.isFinite(days) || days <= 0) throw new Error('--days must be a positive number.');
  if (values.data && !existsSync(values.data)) throw new Error(`--data ${values.data}: no such file.`);
  if (values.model && !existsSync(path.join(values.model, 'model-card.json'))) throw new Error(`--model ${values.model}: no model-card.json there, so it is no model folder.`);
  const { DATABASE_URL, DEFAULT_BOT } = getConfig();
  const botId = values.bot ?? DEFAULT_BOT;
  if (!isKnownBot(botId)) throw new Error(`--bot ${botId}: no answers for this bot in lib/bot/answers/.`);
  await migrateDatabase(DATABASE_URL);
  const database = await connectDatabase(DATABASE_URL);
  try {
    // The version the seeded predictions name: the folder given, stored as a version, else the active one.
    const version = values.model
      ? await registerVersion(botId, values.model, { id: null, name: 'npm run seed' })
      : await activeVersion(botId);
    if (!version) throw new Error(`Bot ${botId} has no model version and this build ships none: name a model folder with --model.`);
    if (version.retiredAt) throw new Error(`Model version ${version.hash.slice(0, 12)} of bot ${botId} was retired: its predictions would not verify.`);
    const model = values.model ?? versionDir(botId, version.hash)!;
    const examples = values.data ? readLabelledCsv(values.data) : examplesFromModel(model);
    const classifier = values.synthetic
      ? syntheticClassifier([...new Set(examples.map((e) => e.intent))].sort(), new Map(examples.map((e) => [e.text, e.intent])), 7, botId, readModelCard(model)?.language)
      : await realClassifier(botId, model, version.hash);
    const started = performance.now();
    let last = 0;
    const result = await seedLog(database, {
      count,
      explain,
      days,
      seed: Number(values.seed),
      examples,
      classifier,
      onProgress: (done, total) => {
        if (done - last >= total / 20 || done === total) {
          last = done;
          process.stderr.write(`  ${done}/${total} predictions (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
        }
      },
    });
    console.log(
      `Seeded ${result.predictions} predictions in ${result.conversations} conversations (${result.explained} explained, ${values.synthetic ? 'synthetic classifier' : `model version ${classifier.version.slice(0, 12)}`}) in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    );
    return 0;
  } finally {
    await database.$disconnect();
  }
}

runCli(main);
