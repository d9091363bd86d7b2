import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Prisma } from '@/lib/generated/sqlite/client';
import type { ExplanationsRecord } from '@/lib/chat/records';
import { WORD_SCORING_METHODS } from '@/lib/explain/types';
import { redactExplanation } from '@/lib/chat/redact-records';
import { getConfig } from '@/lib/config';
import { notFound } from '@/lib/http/errors';
import { db } from '../client';

type Stored = ExplanationsRecord['explanations'][number];

/** The word each scoring method ranks first: when they differ, the methods disagree. */
export function topWordsByMethod(explanations: Stored[]): Map<string, number> {
  const top = new Map<string, number>();
  for (const explanation of explanations) {
    if (!(WORD_SCORING_METHODS as readonly string[]).includes(explanation.method) || !explanation.scores?.length) continue;
    let best = 0;
    explanation.scores.forEach((score, i) => {
      if (score > explanation.scores![best]!) best = i;
    });
    top.set(explanation.method, best);
  }
  return top;
}

/** The database row of one explanation: the object as rendered, plus the columns the admin filters on. */
export function explanationRow(predictionId: string, explanation: Stored, createdAt?: Date): Prisma.ExplanationCreateManyInput {
  return {
    id: randomUUID(),
    predictionId,
    method: explanation.method,
    settings: explanation.settings as Prisma.InputJsonValue,
    payload: explanation as unknown as Prisma.InputJsonValue,
    comprehensiveness: explanation.faithfulness?.meanComprehensiveness ?? null,
    sufficiency: explanation.faithfulness?.meanSufficiency ?? null,
    durationMs: explanation.timing.ms,
    ...(createdAt ? { createdAt } : {}),
  };
}

/** What a prediction records of its explanations: the lowest faithfulness, whether the methods disagree. */
export function explanationSummary(explanations: Stored[]): { minFaithfulness?: number; methodsDisagree?: boolean } {
  const faithfulness = explanations.flatMap((e) => (e.faithfulness ? [e.faithfulness.meanComprehensiveness] : []));
  const tops = new Set(topWordsByMethod(explanations).values());
  return {
    ...(faithfulness.length > 0 ? { minFaithfulness: Math.min(...faithfulness) } : {}),
    ...(tops.size > 0 ? { methodsDisagree: tops.size > 1 } : {}),
  };
}

/**
 * Stores a prediction's explanations as the very objects the panel rendered (personal data
 * masked, positions kept), plus the
 * figures the admin filters on. A method already stored for the prediction is kept as it
 * was: explanations are computed once, and a retried post changes nothing.
 */
export async function storeExplanations(predictionId: string, posted: ExplanationsRecord): Promise<{ stored: number; duplicates: number }> {
  const kinds = getConfig().REDACT_PII;
  const record = { explanations: posted.explanations.map((explanation) => redactExplanation(explanation, { kinds })) };
  const prediction = await db().prediction.findUnique({ where: { id: predictionId }, select: { id: true } });
  if (!prediction) throw notFound('That prediction');
  const existing = new Set(
    (await db().explanation.findMany({ where: { predictionId }, select: { method: true } })).map((e) => e.method),
  );
  const fresh = record.explanations.filter((explanation) => !existing.has(explanation.method));
  try {
    await db().$transaction([
      ...fresh.map((explanation) => db().explanation.create({ data: explanationRow(predictionId, explanation) })),
      db().prediction.update({ where: { id: predictionId }, data: explanationSummary(record.explanations) }),
    ]);
  } catch (error) {
    // A concurrent retry stored the same methods first: nothing is lost, nothing doubled.
    if ((error as { code?: string }).code !== 'P2002') throw error;
    return { stored: 0, duplicates: record.explanations.length };
  }
  return { stored: fresh.length, duplicates: record.explanations.length - fresh.length };
}

const PANEL_ORDER = ['attention', 'rollout', 'occlusion', 'lime', 'counterfactual', 'similar'];

export function inPanelOrder(explanations: Stored[]): Stored[] {
  return [...explanations].sort((a, b) => PANEL_ORDER.indexOf(a.method) - PANEL_ORDER.indexOf(b.method));
}

/** A prediction's stored explanations, exactly as they were posted, in the panel's order. */
export async function loadExplanations(predictionId: string): Promise<Stored[]> {
  const rows = await db().explanation.findMany({ where: { predictionId } });
  return inPanelOrder(rows.map((row) => row.payload as unknown as Stored));
}
