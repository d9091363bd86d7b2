import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@/lib/generated/sqlite/client';
import { getConfig } from '@/lib/config';
import type { Db } from '@/lib/db/client';
import { loadBotContent } from '@/lib/bot/answers';
import { answerClassified, type ClassifierFacts } from '@/lib/bot/reply';
import { DEFAULT_LANGUAGE } from '@/lib/model/card';
import { charactersOf } from '@/lib/model/readability';
import { explanationRow } from '@/lib/db/queries/explanations';
import { createRng } from '@/lib/explain/rng';
import { wordSpans } from '@/lib/model/spans';
import { explanationSummary } from '@/lib/ingest/explanation-summary';
import type { Explanation } from '@/lib/explain/types';
import type { ExplanationRecord } from '@/lib/records/explanation';
import { readLabelledFile } from './labelled-file';

/**
 * Generates a realistic prediction log: conversations of one to five turns spread over the
 * last days (busier on weekdays and in office hours), visitor messages from a labelled
 * data set with some casual noise, predictions from a classifier (the real model, or a
 * synthetic one for benchmarks), the bot's replies, feedback that follows whether the
 * prediction was right, server verification, and explanations for some of the predictions.
 */
export type Classifier = ClassifierFacts & {
  predict(texts: string[]): Promise<number[][]>;
  /** Explanations for one text, as the browser would post them; absent = none stored. */
  explain?(text: string, probabilities: number[]): Promise<Explanation[]>;
};

export type SeedOptions = {
  count: number;
  days: number;
  seed: number;
  /** How many predictions get explanations (spread over the log). */
  explain: number;
  examples: { text: string; intent: string }[];
  /** The bot's model: the seeded conversations are the bot's it names (`classifier.bot`). */
  classifier: Classifier;
  now?: Date;
  onProgress?: (done: number, total: number) => void;
};

/**
 * The labelled examples of a `text,intent` (or `category`/`label`) CSV or JSONL file, read as
 * the training tools read it (the training export's formula guard undone).
 */
export function readLabelledCsv(file: string): { text: string; intent: string }[] {
  const { texts, labels } = readLabelledFile(file);
  return texts.map((text, i) => ({ text: text.trim(), intent: labels[i]! })).filter((example) => example.text);
}

const OPENERS = ['hi, ', 'hello ', 'hey ', 'Hi there. ', 'excuse me, ', ''];

/** What visitors type is messier than a data set: case, punctuation and greetings vary. */
function casual(text: string, random: () => number): string {
  let out = text;
  const r = random();
  if (r < 0.15) out = out.toLowerCase();
  else if (r < 0.2) out = out.replace(/[?.!]+$/, '');
  if (random() < 0.08) out = OPENERS[Math.floor(random() * OPENERS.length)]! + out.charAt(0).toLowerCase() + out.slice(1);
  return out.slice(0, 2000);
}

/** A time in the last `days` days, weighted towards weekdays and 8:00–20:00 UTC. */
function visitTime(now: Date, days: number, random: () => number): Date {
  for (;;) {
    const at = new Date(now.getTime() - random() * days * 24 * 60 * 60 * 1000);
    const hour = at.getUTCHours();
    const weekday = at.getUTCDay() !== 0 && at.getUTCDay() !== 6;
    const weight = (weekday ? 1 : 0.55) * (hour >= 8 && hour < 20 ? 1 : 0.25);
    if (random() < weight) return at;
  }
}

function pick<T>(random: () => number, weighted: [T, number][]): T {
  let r = random() * weighted.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r <= 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

type Rows = {
  conversations: Prisma.ConversationCreateManyInput[];
  messages: Prisma.MessageCreateManyInput[];
  predictions: Prisma.PredictionCreateManyInput[];
  feedback: Prisma.FeedbackCreateManyInput[];
  explanations: Prisma.ExplanationCreateManyInput[];
};

async function flush(database: Db, rows: Rows): Promise<void> {
  await database.$transaction([
    database.conversation.createMany({ data: rows.conversations }),
    database.message.createMany({ data: rows.messages }),
    database.prediction.createMany({ data: rows.predictions }),
    database.feedback.createMany({ data: rows.feedback }),
    database.explanation.createMany({ data: rows.explanations }),
  ]);
  for (const list of Object.values(rows)) (list as unknown[]).length = 0;
}

export async function seedLog(database: Db, options: SeedOptions): Promise<{ conversations: number; predictions: number; explained: number }> {
  const random = createRng(options.seed).next;
  const now = options.now ?? new Date();
  const { classifier } = options;
  const botId = classifier.bot;
  const content = loadBotContent(botId);
  const explainEvery = options.explain > 0 ? Math.max(1, Math.floor(options.count / options.explain)) : Infinity;
  const rows: Rows = { conversations: [], messages: [], predictions: [], feedback: [], explanations: [] };
  let made = 0;
  let conversations = 0;
  let explained = 0;
  const BATCH = 64;
  while (made < options.count) {
    // Plan a batch of conversations, then classify their messages in one go.
    const plan: { id: string; start: Date; turns: { text: string; truth: string }[] }[] = [];
    let planned = 0;
    while (planned < BATCH && made + planned < options.count) {
      const turns = Math.min(options.count - made - planned, 1 + Math.floor(-Math.log(1 - random() * 0.98) * 1.1));
      const list = Array.from({ length: Math.max(1, turns) }, () => {
        const example = options.examples[Math.floor(random() * options.examples.length)]!;
        return { text: casual(example.text, random), truth: example.intent };
      });
      plan.push({ id: randomUUID(), start: visitTime(now, options.days, random), turns: list });
      planned += list.length;
    }
    const texts = plan.flatMap((c) => c.turns.map((t) => t.text));
    const probabilities = await classifier.predict(texts);
    let k = 0;
    for (const conversation of plan) {
      conversations++;
      rows.conversations.push({ id: conversation.id, botId, visitorId: randomUUID(), createdAt: conversation.start, updatedAt: conversation.start });
      let at = conversation.start.getTime();
      for (const [turn, { text, truth }] of conversation.turns.entries()) {
        const probs = probabilities[k++]!;
        const backend = pick(random, [['wasm', 70], ['webgpu', 28], ['cpu', 2]] as ['wasm' | 'webgpu' | 'cpu', number][]);
        const latencyMs = Math.round((backend === 'webgpu' ? 8 + random() * 20 : backend === 'wasm' ? 14 + random() * 30 : 30 + random() * 60) * 10) / 10;
        // The bot's reply and the prediction record, as the chat's transport builds them.
        const { reply, decision, prediction: record } = answerClassified(content, classifier, { text, probabilities: probs }, { id: randomUUID(), backend, latencyMs });
        const userId = randomUUID();
        const replyId = randomUUID();
        const userAt = new Date(at);
        const replyAt = new Date(at + 400 + random() * 600);
        at += 20_000 + random() * 70_000;
        rows.messages.push({ id: userId, conversationId: conversation.id, seq: turn * 2, role: 'user', text, parts: { kind: 'typed' }, createdAt: userAt });
        rows.messages.push({ id: replyId, conversationId: conversation.id, seq: turn * 2 + 1, role: 'assistant', text: reply.text, parts: reply.parts, createdAt: replyAt });
        const verification = pick(random, [['verified', 94], ['pending', 4.5], ['mismatch', 0.7], ['failed', 0.8]] as ['verified' | 'pending' | 'mismatch' | 'failed', number][]);
        const runnerUp = record.topK[1];
        const prediction: Prisma.PredictionCreateManyInput = {
          ...record,
          messageId: userId,
          replyId,
          verification,
          verifiedIntent: verification === 'verified' ? record.intent : verification === 'mismatch' ? (runnerUp?.intent ?? record.intent) : null,
          verifiedConfidence: verification === 'verified' ? record.confidence : verification === 'mismatch' ? (runnerUp?.probability ?? null) : null,
          verifiedAt: verification === 'verified' || verification === 'mismatch' ? new Date(replyAt.getTime() + 200) : null,
          createdAt: userAt,
        };
        if (made % explainEvery === 0 && classifier.explain && explained < options.explain) {
          const explanations = await classifier.explain(text, probs);
          explained++;
          Object.assign(prediction, explanationSummary(explanations as ExplanationRecord[]));
          for (const explanation of explanations) {
            rows.explanations.push(explanationRow(record.id, explanation as ExplanationRecord, new Date(replyAt.getTime() + 100)));
          }
        }
        rows.predictions.push(prediction);
        // About one reply in eight gets a thumbs up or down, which follows whether the model was right.
        if (random() < 0.12) {
          const right = decision.intent === truth && decision.kind === 'answer';
          const helpful = right ? random() < 0.88 : random() < 0.25;
          const feedbackAt = new Date(replyAt.getTime() + 5000 + random() * 30_000);
          rows.feedback.push({ id: randomUUID(), messageId: replyId, helpful, comment: null, createdAt: feedbackAt, updatedAt: feedbackAt });
        }
        made++;
      }
      rows.conversations[rows.conversations.length - 1]!.updatedAt = new Date(at);
    }
    if (rows.messages.length >= 2000 || made >= options.count) await flush(database, rows);
    options.onProgress?.(made, options.count);
  }
  if (rows.conversations.length) await flush(database, rows);
  return { conversations, predictions: made, explained };
}

/**
 * A stand-in classifier for benchmarks: confident and usually right, sometimes torn
 * between two intents, now and then lost; its LIME-like explanations weight a few words
 * (the message's word units in the bot's `language`).
 */
export function syntheticClassifier(labels: string[], truthOf: Map<string, string>, seed = 7, botId = getConfig().DEFAULT_BOT, language = DEFAULT_LANGUAGE): Classifier {
  const random = createRng(seed).next;
  return {
    bot: botId,
    version: 'synthetic',
    labels,
    outOfScopeLabel: null,
    thresholds: { outOfScope: 0.3, ambiguityMargin: 0.1 },
    language: DEFAULT_LANGUAGE,
    // Reads every message: the stand-in's questions are its own training texts.
    characters: charactersOf(truthOf.keys()),
    async predict(texts) {
      return texts.map((text) => {
        const truth = truthOf.get(text) ?? labels[0]!;
        const probs = labels.map(() => random() * 0.02);
        const r = random();
        const main = r < 0.88 ? labels.indexOf(truth) : Math.floor(random() * labels.length);
        // Mostly sure; sometimes torn between two intents (clarify); now and then lost (hand-off).
        probs[Math.max(0, main)] += r < 0.75 ? 5 : r < 0.85 ? 1 : r < 0.93 ? 0.6 : 0.1;
        probs[Math.floor(random() * labels.length)] += r < 0.75 ? 0.2 : r < 0.85 ? 0.3 : r < 0.93 ? 0.55 : 0.1;
        const sum = probs.reduce((a, b) => a + b, 0);
        return probs.map((p) => p / sum);
      });
    },
    async explain(text, probabilities): Promise<Explanation[]> {
      const index = probabilities.indexOf(Math.max(...probabilities));
      const words = wordSpans(text, language);
      const scores = words.map(() => Math.round((random() - 0.3) * 1000) / 1000);
      const comprehensiveness = Math.round(random() * 700) / 1000;
      // A second word-scoring method that mostly agrees with the first.
      const occlusion = scores.map((score) => Math.round((score + (random() - 0.5) * 0.4) * 1000) / 1000);
      const faith = (value: number) => ({ comprehensiveness: [{ k: '1', value }], sufficiency: [{ k: '1', value: 0.1 }], meanComprehensiveness: value, meanSufficiency: 0.1, deletionAuc: 0.3 });
      const target = { index, label: labels[index]!, probability: probabilities[index]! };
      return [
        { method: 'occlusion', version: 1, target, settings: {}, words, scores: occlusion, extra: {}, faithfulness: faith(Math.round(random() * 700) / 1000), timing: { ms: 0, forwardPasses: 0 } },
        {
          method: 'lime',
          version: 1,
          target: { index, label: labels[index]!, probability: probabilities[index]! },
          settings: { samples: 0, seed },
          words,
          scores,
          extra: {},
          faithfulness: { comprehensiveness: [{ k: '1', value: comprehensiveness }], sufficiency: [{ k: '1', value: 0.1 }], meanComprehensiveness: comprehensiveness, meanSufficiency: 0.1, deletionAuc: 0.3 },
          timing: { ms: 0, forwardPasses: 0 },
        },
      ];
    },
  };
}
