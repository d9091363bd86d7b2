import 'server-only';
import type { Prisma } from '@/lib/generated/sqlite/client';
import type { ResolutionInput } from '@/lib/records/handoff';
import { replayReportSchema, type ReplayReport } from '@/lib/replay/report';
import { db } from '../client';

/**
 * What the replay reads and writes (lib/replay): a bot's stored customer messages with the human
 * labels they carry, page by page; and the replays' reports, one row per run of `npm run replay`.
 */

/** A window of stored messages: from `from` to `to`, both included. */
export type ReplayWindow = { from: Date; to: Date };

/** Where a page of messages ends: the next page starts after it (newest first). */
export type ReplayCursor = { createdAt: Date; id: string };

/** One stored customer message the bot classified, as stored (personal data masked), with its human labels. */
export type ReplayMessageRow = {
  id: string;
  conversationId: string;
  text: string;
  createdAt: Date;
  /** A reviewer's intent, when the prediction was marked correct or relabelled. */
  reviewedIntent: string | null;
  /** The latest resolved hand-off this message triggered, with what the agent said the customer wanted. */
  handoff: { resolution: ResolutionInput['resolution']; resolutionIntent: string | null; resolutionTopic: string | null } | null;
};

/** The bot's classified customer messages in the window: typed messages and quick replies that got a prediction (a click on "Did you mean" or "Talk to a person" did not). */
function windowFilter(botId: string, window: ReplayWindow): Prisma.MessageWhereInput {
  return { role: 'user', createdAt: { gte: window.from, lte: window.to }, conversation: { botId }, prediction: { isNot: null } };
}

export async function countReplayMessages(botId: string, window: ReplayWindow): Promise<number> {
  return db().message.count({ where: windowFilter(botId, window) });
}

/**
 * One page of the window's messages, newest first, after `cursor` (a keyset: each page is one
 * indexed range read, however deep into the window it is).
 */
export async function replayMessagePage(botId: string, window: ReplayWindow, cursor: ReplayCursor | null, take: number): Promise<ReplayMessageRow[]> {
  const rows = await db().message.findMany({
    where: {
      ...windowFilter(botId, window),
      ...(cursor ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: {
      id: true,
      conversationId: true,
      text: true,
      createdAt: true,
      prediction: { select: { reviewStatus: true, reviewedIntent: true } },
      handoffs: {
        where: { status: 'resolved', resolution: { not: null } },
        orderBy: [{ resolvedAt: 'desc' }, { id: 'desc' }],
        take: 1,
        select: { resolution: true, resolutionIntent: true, resolutionTopic: true },
      },
    },
  });
  return rows.map((row) => {
    const review = row.prediction;
    const handoff = row.handoffs[0];
    return {
      id: row.id,
      conversationId: row.conversationId,
      text: row.text,
      createdAt: row.createdAt,
      reviewedIntent: review && (review.reviewStatus === 'correct' || review.reviewStatus === 'relabelled') ? review.reviewedIntent : null,
      handoff: handoff?.resolution ? { resolution: handoff.resolution, resolutionIntent: handoff.resolutionIntent, resolutionTopic: handoff.resolutionTopic } : null,
    };
  });
}

/** Every message of the window, newest first, at most `limit`, read `pageSize` at a time (the next page is read while the caller works on this one). */
export async function* iterateReplayMessages(botId: string, window: ReplayWindow, options: { limit?: number | null; pageSize?: number } = {}): AsyncGenerator<ReplayMessageRow[]> {
  const pageSize = options.pageSize ?? 1000;
  let left = options.limit ?? Number.POSITIVE_INFINITY;
  let next: Promise<ReplayMessageRow[]> | null = left > 0 ? replayMessagePage(botId, window, null, Math.min(pageSize, left)) : null;
  while (next) {
    const page = await next;
    left -= page.length;
    const last = page[page.length - 1];
    next = page.length === pageSize && left > 0 && last ? replayMessagePage(botId, window, { createdAt: last.createdAt, id: last.id }, Math.min(pageSize, left)) : null;
    // A page read ahead that nobody asks for still settles: its failure is not left unhandled.
    next?.catch(() => {});
    if (page.length > 0) yield page;
  }
}

/** A stored replay: its report and the figures the admin lists. */
export type StoredReplay = {
  id: string;
  botId: string;
  candidateHash: string;
  activeHash: string;
  messages: number;
  agreement: number;
  seconds: number;
  createdAt: Date;
  report: ReplayReport;
};

/** Stores a replay's report (checked against its schema; its texts are stored messages, so already masked); returns its id. */
export async function insertReplay(report: ReplayReport): Promise<string> {
  const checked = replayReportSchema.parse(report);
  const created = await db().modelReplay.create({
    data: {
      botId: checked.botId,
      candidateHash: checked.candidate.version,
      activeHash: checked.active.version,
      report: checked as unknown as Prisma.InputJsonValue,
      messages: checked.messages,
      agreement: checked.agreement,
      seconds: checked.seconds,
    },
    select: { id: true },
  });
  return created.id;
}

/** The latest replay of a bot's candidate version, or null (also when its stored report is one this build cannot read). */
export async function latestReplay(botId: string, candidateHash: string): Promise<StoredReplay | null> {
  const row = await db().modelReplay.findFirst({ where: { botId, candidateHash }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  if (!row) return null;
  const report = replayReportSchema.safeParse(row.report);
  return report.success ? { ...row, report: report.data } : null;
}

/** A bot's replays, newest first (every candidate), without their reports. */
export async function replayHistory(botId: string, take = 20): Promise<Omit<StoredReplay, 'report'>[]> {
  return db().modelReplay.findMany({
    where: { botId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: Math.min(Math.max(1, take), 500),
    select: { id: true, botId: true, candidateHash: true, activeHash: true, messages: true, agreement: true, seconds: true, createdAt: true },
  });
}
