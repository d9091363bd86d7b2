// How fast the replay (lib/replay) runs stored traffic through two model versions on this
// machine: N customer messages bulk-inserted into a scratch SQLite database (conversations of one
// to five turns over the last 30 days, each turn a customer message, its prediction and the bot's
// reply), replayed through the demo model (active) and fixture model B (candidate; the demo model
// against itself when B is not trained), with the 20 most-asked flips explained as the command
// does by default. The baseline is measured in the same run: the active model's bare `predict`
// over the same texts, in the replay's batches, nothing else.
//
//   npm run bench:replay -- [--messages 100000] [--candidate DIR] [--explain 20] [--seed 7]
//
// The texts are the demo model's own questions (its similar-questions index, shipped with it)
// as customers vary them: a greeting, case, a closing word, a typo; the table says how many are
// distinct, since the replay predicts a repeated text once.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { messagesFromIndex } from '@/lib/audit/messages';
import { connectDatabase, type Db } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import type { Prisma } from '@/lib/generated/sqlite/client';
import { createRng } from '@/lib/explain/rng';
import { loadModelFromDir } from '@/lib/model/node';
import { contentHash } from '@/lib/model/versions';
import { REPLAY_BATCH, replay, type ReplayProgress } from '@/lib/replay/replay';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const ACTIVE = path.join(REPO, 'public', 'models', 'banking77');
const FIXTURE_B = path.join(REPO, '.cache', 'candidate-models', 'b');

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    candidate: { type: 'string' },
    explain: { type: 'string', default: '20' },
    seed: { type: 'string', default: '7' },
  },
});
const count = Number(values.messages);
const explain = Number(values.explain);
if (!Number.isInteger(count) || count < 1) throw new Error('--messages must be a whole number, 1 or more.');

const OPENERS = ['', '', '', '', 'hi, ', 'hello ', 'hey ', 'excuse me, ', 'Hi there. ', 'good morning, '];
const CLOSERS = ['', '', '', '?', '!', ' please', ' thanks', ' thank you', ' asap', ' ??'];

/** A question as a customer might type it: a greeting, case, a closing word, now and then two letters swapped. */
function vary(text: string, random: () => number): string {
  let out = text;
  const r = random();
  if (r < 0.3) out = out.toLowerCase();
  else if (r < 0.4) out = out.charAt(0).toUpperCase() + out.slice(1);
  if (random() < 0.35) {
    const at = 1 + Math.floor(random() * Math.max(1, out.length - 2));
    out = out.slice(0, at) + (out[at + 1] ?? '') + (out[at] ?? '') + out.slice(at + 2);
  }
  return `${OPENERS[Math.floor(random() * OPENERS.length)]}${out.replace(/[?.!]+$/, '')}${CLOSERS[Math.floor(random() * CLOSERS.length)]}`.slice(0, 2000);
}

/** Bulk-inserts `texts` as customer messages of the demo bot, in conversations of one to five turns; createMany in transactions of a few thousand rows. */
async function seedMessages(database: Db, texts: string[], random: () => number): Promise<number> {
  const now = Date.now();
  const rows = { conversations: [] as Prisma.ConversationCreateManyInput[], messages: [] as Prisma.MessageCreateManyInput[], predictions: [] as Prisma.PredictionCreateManyInput[] };
  const flush = async () => {
    await database.$transaction([
      database.conversation.createMany({ data: rows.conversations }),
      database.message.createMany({ data: rows.messages }),
      database.prediction.createMany({ data: rows.predictions }),
    ]);
    rows.conversations.length = 0;
    rows.messages.length = 0;
    rows.predictions.length = 0;
  };
  let conversations = 0;
  for (let i = 0; i < texts.length; ) {
    const id = randomUUID();
    // Whole conversations in the past: a later turn is 45 s after the one before.
    const start = now - 300_000 - random() * 29.5 * 24 * 3600_000;
    const turns = Math.min(texts.length - i, 1 + Math.floor(random() * 5));
    rows.conversations.push({ id, botId: 'banking77', visitorId: randomUUID(), createdAt: new Date(start), updatedAt: new Date(start) });
    conversations++;
    for (let turn = 0; turn < turns; turn++, i++) {
      const at = new Date(start + turn * 45_000);
      const userId = randomUUID();
      const replyId = randomUUID();
      rows.messages.push({ id: userId, conversationId: id, seq: 2 * turn, role: 'user', text: texts[i]!, parts: { kind: 'typed' }, createdAt: at });
      rows.messages.push({ id: replyId, conversationId: id, seq: 2 * turn + 1, role: 'assistant', text: 'A reply.', parts: { kind: 'answer' }, createdAt: new Date(at.getTime() + 500) });
      rows.predictions.push({
        id: randomUUID(),
        messageId: userId,
        replyId,
        modelId: 'banking77',
        modelVersion: 'bench',
        intent: 'card_arrival',
        confidence: 0.9,
        topK: [{ intent: 'card_arrival', probability: 0.9 }],
        decision: 'answer',
        backend: 'wasm',
        latencyMs: 5,
        createdAt: at,
      });
    }
    if (rows.messages.length >= 4000) await flush();
  }
  if (rows.conversations.length) await flush();
  return conversations;
}

const cpuSeconds = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1e6;
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

async function main() {
  const random = createRng(Number(values.seed)).next;
  const candidateDir = path.resolve(values.candidate ?? (existsSync(path.join(FIXTURE_B, 'model-card.json')) ? FIXTURE_B : ACTIVE));
  const active = await loadModelFromDir(ACTIVE);
  const questions = messagesFromIndex(ACTIVE, active.labels)!.map((message) => message.text);
  const texts = Array.from({ length: count }, () => vary(questions[Math.floor(random() * questions.length)]!, random));
  const distinct = new Set(texts).size;

  const dir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-bench-replay-'));
  try {
    const url = `file:${path.join(dir, 'bench.db')}`;
    await migrateDatabase(url);
    const database = await connectDatabase(url);
    let started = performance.now();
    process.stderr.write(`  seeding ${count} messages\n`);
    const conversations = await seedMessages(database, texts, random);
    const seedSeconds = (performance.now() - started) / 1000;

    // The baseline: one model's bare predict over the same texts, in the replay's batches.
    await active.predict(texts.slice(0, REPLAY_BATCH));
    started = performance.now();
    let cpu = process.cpuUsage();
    for (let s = 0; s < texts.length; s += REPLAY_BATCH) await active.predict(texts.slice(s, s + REPLAY_BATCH));
    const baselineSeconds = (performance.now() - started) / 1000;
    const baselineCpu = cpuSeconds(process.cpuUsage(cpu));
    await active.dispose();

    const peakBeforeReplay = process.resourceUsage().maxRSS;
    let messagesDone = 0;
    let printed = 0;
    const onProgress = ({ phase, done }: ReplayProgress) => {
      if (phase !== 'messages') return;
      messagesDone = performance.now();
      if (done - printed >= 10_000 || (done === count && printed < count)) {
        process.stderr.write(`  replayed ${done}/${count}\n`);
        printed = done;
      }
    };
    started = performance.now();
    cpu = process.cpuUsage();
    const report = await replay({
      botId: 'banking77',
      activeDir: ACTIVE,
      activeVersion: contentHash(ACTIVE),
      candidateDir,
      candidateVersion: contentHash(candidateDir),
      explain,
      onProgress,
    });
    const total = (performance.now() - started) / 1000;
    const replayCpu = cpuSeconds(process.cpuUsage(cpu));
    const messagesSeconds = (messagesDone - started) / 1000;
    await database.$disconnect();
    if (report.messages !== count) throw new Error(`replayed ${report.messages} of ${count} messages`);

    const perSecond = count / total;
    console.log(
      `Replay of ${count} stored messages (${conversations} conversations; ${distinct} distinct texts, ${((100 * distinct) / count).toFixed(1)} %), demo model (active) against ${path.relative(REPO, candidateDir) || candidateDir} (candidate), ${explain} groups explained; ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}, Node ${process.version}; peak RSS ${Math.round(peakBeforeReplay / 1024)} MB before the replay (seeding, baseline), ${Math.round(process.resourceUsage().maxRSS / 1024)} MB after it. Seeding took ${seedSeconds.toFixed(1)} s.\n`,
    );
    console.log(row(['what', 'messages', 'seconds', 'CPU seconds', 'messages/s', 'minutes for 100k']));
    console.log(row([':--', '--:', '--:', '--:', '--:', '--:']));
    console.log(row(['replay (both models, read, tally, explanations)', count, total.toFixed(1), replayCpu.toFixed(1), perSecond.toFixed(0), ((100_000 / perSecond) / 60).toFixed(1)]));
    console.log(row(['  of which loading both models, reading and predicting the messages', count, messagesSeconds.toFixed(1), '', (count / messagesSeconds).toFixed(0), ((100_000 * messagesSeconds) / count / 60).toFixed(1)]));
    console.log(row(['  of which explaining the top groups', explain, (total - messagesSeconds).toFixed(1), '', '', '']));
    console.log(row(["baseline: the active model's bare predict", count, baselineSeconds.toFixed(1), baselineCpu.toFixed(1), (count / baselineSeconds).toFixed(0), ((100_000 * baselineSeconds) / count / 60).toFixed(1)]));
    console.log(`\nreplay / baseline: ${(total / baselineSeconds).toFixed(2)}× wall, ${(replayCpu / baselineCpu).toFixed(2)}× CPU (agreement ${(100 * report.agreement).toFixed(1)} %, ${report.flippedGroups} flipped groups)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
