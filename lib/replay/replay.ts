// The replay: a bot's stored customer messages of the last N days, as stored (personal data
// masked), run through the active model version and a candidate in Node, and what would change
// for customers if the candidate were promoted (./report.ts). Messages are read page by page
// (a keyset cursor) and predicted in batches by both versions; only counts and the groups of
// flipped messages are kept, so memory does not grow with the messages. The groups with the most
// customers are explained by both versions afterwards, within a budget per text.
import 'server-only';
import { answerOf, type AuditClassifier } from '@/lib/audit/classifier';
import { openAuditModel, type AuditModel } from '@/lib/audit/model';
import { resolveBot } from '@/lib/bot/registry';
import { countReplayMessages, iterateReplayMessages, type ReplayMessageRow } from '@/lib/db/queries/replays';
import { trainingLabelOf } from '@/lib/handoff/rules';
import { explanationSchema } from '@/lib/records/explanation';
import { auditDeltas, auditNote, versionAudit } from './audits';
import { DEFAULT_EXPLAINED_GROUPS, MAX_EXPLAINED_GROUPS, MAX_FLIPPED_GROUPS, replayReportSchema, type FlippedGroup, type ReplayReport } from './report';
import { ReplayTally, reportGroup, type OpenGroup, type ScoredAnswer, type TalliedMessage } from './tally';

/** Days of stored messages a replay reads unless told otherwise. */
export const DEFAULT_REPLAY_DAYS = 30;
/** Messages predicted together by each version. */
export const REPLAY_BATCH = 64;
/** Messages read from the database at a time. */
export const REPLAY_PAGE = 1024;
/** What explaining one text may take, per version. */
export const EXPLANATION_BUDGET_MS = 1000;
/** Distinct texts whose answers are remembered (a quick reply or a greeting is sent by many customers). */
const ANSWER_CACHE_SIZE = 20_000;

export type ReplayProgress = { phase: 'messages' | 'explanations'; done: number; total: number };

export type ReplayOptions = {
  botId: string;
  /** The active version's model folder and its hash. */
  activeDir: string;
  activeVersion: string;
  /** The candidate's model folder and its hash. */
  candidateDir: string;
  candidateVersion: string;
  /** The last `days` days of messages (default 30). */
  days?: number;
  /** At most this many messages, the newest first (default: all of the window). */
  limit?: number | null;
  /** How many groups of flipped messages carry both versions' explanations (default 20). */
  explain?: number;
  /** The end of the window (default: now). */
  now?: Date;
  onProgress?: (progress: ReplayProgress) => void;
};

/** A version as the replay runs it: the model, and each distinct text's answer, remembered. */
type Runner = { model: AuditModel; classifier: AuditClassifier };

function score(classifier: AuditClassifier, text: string, probabilities: readonly number[]): ScoredAnswer {
  const answer = answerOf(classifier, text, probabilities);
  return { kind: answer.kind, intent: answer.intent, p: probabilities[answer.index] ?? 0, key: answer.key, index: answer.index };
}

/** Both versions' answers to `texts`: each distinct text predicted once per batch, and not again while it is remembered. */
async function answerBatch(active: Runner, candidate: Runner, texts: string[], cache: Map<string, [ScoredAnswer, ScoredAnswer]>): Promise<[ScoredAnswer, ScoredAnswer][]> {
  const missing = [...new Set(texts.filter((text) => !cache.has(text)))];
  if (missing.length > 0) {
    const [activeP, candidateP] = [await active.classifier.predict(missing), await candidate.classifier.predict(missing)];
    missing.forEach((text, i) => {
      if (cache.size >= ANSWER_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(text, [score(active.classifier, text, activeP[i]!), score(candidate.classifier, text, candidateP[i]!)]);
    });
  }
  return texts.map((text) => cache.get(text)!);
}

/** The model's explanations of `text` for label `target` that are valid records (the ones the why-panel renders). */
async function explainText(runner: Runner, text: string, target: number) {
  if (!runner.classifier.explain || target < 0) return [];
  const explanations = await runner.classifier.explain(text, target, EXPLANATION_BUDGET_MS, runner.classifier.predict);
  return explanations.flatMap((explanation) => {
    const record = explanationSchema.safeParse(explanation);
    return record.success ? [record.data] : [];
  });
}

function checkWhole(value: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}.`);
  return value;
}

export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  const days = checkWhole(options.days ?? DEFAULT_REPLAY_DAYS, 'days', 1, 36_500);
  const limit = options.limit == null ? null : checkWhole(options.limit, 'limit', 1);
  const explain = checkWhole(options.explain ?? DEFAULT_EXPLAINED_GROUPS, 'explain', 0, MAX_EXPLAINED_GROUPS);
  const to = options.now ?? new Date();
  const window = { from: new Date(to.getTime() - days * 24 * 60 * 60 * 1000), to };
  const progress = options.onProgress ?? (() => {});

  const [activeModel, candidateModel] = await Promise.all([openAuditModel(options.activeDir), openAuditModel(options.candidateDir)]);
  try {
    const active: Runner = { model: activeModel, classifier: activeModel.classifier };
    const candidate: Runner = { model: candidateModel, classifier: candidateModel.classifier };
    // Labels are read as the served bot reads them: its answers and its active model's out-of-scope class.
    const bot = resolveBot(options.botId, { outOfScopeLabel: activeModel.card?.outOfScopeLabel ?? null, language: activeModel.classifier.language });
    const labelOf = (row: ReplayMessageRow): TalliedMessage['label'] => {
      if (row.reviewedIntent) return { intent: row.reviewedIntent, source: 'review' };
      const taught = row.handoff ? trainingLabelOf(row.handoff, bot.reviewOutOfScopeLabel) : null;
      return taught ? { intent: taught, source: 'handoff' } : null;
    };

    const stored = await countReplayMessages(options.botId, window);
    const total = limit === null ? stored : Math.min(stored, limit);
    const tally = new ReplayTally(bot.isOutOfScope);
    const cache = new Map<string, [ScoredAnswer, ScoredAnswer]>();
    progress({ phase: 'messages', done: 0, total });
    for await (const page of iterateReplayMessages(options.botId, window, { limit, pageSize: REPLAY_PAGE })) {
      for (let start = 0; start < page.length; start += REPLAY_BATCH) {
        const rows = page.slice(start, start + REPLAY_BATCH);
        const answers = await answerBatch(active, candidate, rows.map((row) => row.text), cache);
        rows.forEach((row, i) => tally.add({ text: row.text, conversationId: row.conversationId, label: labelOf(row) }, answers[i]![0], answers[i]![1]));
      }
      // Messages stored while the replay reads are past the window's end; the count can only be exceeded by rows it did not see.
      progress({ phase: 'messages', done: tally.messages, total: Math.max(total, tally.messages) });
    }

    const groups = tally.flippedGroups().slice(0, MAX_FLIPPED_GROUPS);
    const explained = Math.min(explain, groups.length);
    const flipped: FlippedGroup[] = [];
    if (explained > 0) progress({ phase: 'explanations', done: 0, total: explained });
    for (const [i, group] of groups.entries()) {
      if (i >= explained) {
        flipped.push(reportGroup(group));
        continue;
      }
      flipped.push(reportGroup(group, await explainGroup(active, candidate, group)));
      progress({ phase: 'explanations', done: i + 1, total: explained });
    }

    const [activeAudit, candidateAudit] = await Promise.all([
      versionAudit(options.botId, options.activeVersion, activeModel.dir, activeModel.card),
      versionAudit(options.botId, options.candidateVersion, candidateModel.dir, candidateModel.card),
    ]);
    const report: ReplayReport = {
      schema: 1,
      botId: options.botId,
      createdAt: new Date().toISOString(),
      window: { days, from: window.from.toISOString(), to: window.to.toISOString() },
      active: { version: options.activeVersion, name: activeModel.name, labels: activeModel.classifier.labels.length },
      candidate: { version: options.candidateVersion, name: candidateModel.name, labels: candidateModel.classifier.labels.length },
      settings: { limit, explain },
      ...tally.counts(),
      seconds: 0,
      audit: {
        active: activeAudit?.summary ?? null,
        candidate: candidateAudit?.summary ?? null,
        sources: { active: activeAudit?.source ?? null, candidate: candidateAudit?.source ?? null },
        deltas: auditDeltas(activeAudit?.summary ?? null, candidateAudit?.summary ?? null),
        note: auditNote(options.botId, { active: { audit: activeAudit, dir: activeModel.dir }, candidate: { audit: candidateAudit, dir: candidateModel.dir } }),
      },
      flipped,
    };
    report.seconds = (performance.now() - started) / 1000;
    return replayReportSchema.parse(report);
  } finally {
    await Promise.all([activeModel.dispose(), candidateModel.dispose()]);
  }
}

/** A group's representative explained by each version for its own top intent. */
async function explainGroup(active: Runner, candidate: Runner, group: OpenGroup): Promise<FlippedGroup['explanations']> {
  return { active: await explainText(active, group.text, group.activeIndex), candidate: await explainText(candidate, group.text, group.candidateIndex) };
}
