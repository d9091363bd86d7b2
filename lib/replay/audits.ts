// The behavioural audits (#18) of the two versions a replay compares, and what changes between
// them: each version's audit summary (lib/audit/report.ts `auditSummary`, what a model card
// keeps) from the best source there is, and the deltas of its figures.
import 'server-only';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { auditReportSchema, auditSummary, INVARIANCE_TYPES, type AuditSummary } from '@/lib/audit/report';
import { latestAuditReport } from '@/lib/audit/store';
import { cardAudit, modelVersion } from '@/lib/model/card';
import type { ModelCard } from '@/lib/model/types';
import type { AuditDelta, ReplayReport } from './report';

type Source = NonNullable<ReplayReport['audit']['sources']['active']>;
export type VersionAudit = { summary: AuditSummary; source: Source } | null;

/** The audit report `npm run audit` wrote beside a model (its folder's audit.json), when it is there and readable. */
function folderAudit(dir: string) {
  const file = path.join(dir, 'audit.json');
  if (!existsSync(file)) return null;
  try {
    const parsed = auditReportSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * A version's audit summary: its latest stored audit (stored under the version's hash, or under
 * the card's version, which `npm run audit` names it by), else its folder's audit.json when that
 * report was made for this folder's model, else the summary in its model card; null when none.
 */
export async function versionAudit(botId: string, hash: string, dir: string, card: ModelCard | null): Promise<VersionAudit> {
  const cardVersion = card ? modelVersion(card) : null;
  const stored = (await latestAuditReport(botId, hash)) ?? (cardVersion ? await latestAuditReport(botId, cardVersion) : null);
  if (stored) return { summary: auditSummary(stored), source: 'stored' };
  const folder = folderAudit(dir);
  if (folder && cardVersion !== null && folder.model.version === cardVersion) return { summary: auditSummary(folder), source: 'folder' };
  const summary = card ? cardAudit(card) : null;
  return summary ? { summary, source: 'card' } : null;
}

/** The figures two summaries are compared on: the largest flip rate, each invariance type's, the lowest Disparate Impact, the warnings. */
export function auditDeltas(active: AuditSummary | null, candidate: AuditSummary | null): AuditDelta[] {
  if (!active && !candidate) return [];
  const row = (metric: string, a: number | null | undefined, c: number | null | undefined): AuditDelta => {
    const activeValue = a ?? null;
    const candidateValue = c ?? null;
    return { metric, active: activeValue, candidate: candidateValue, delta: activeValue !== null && candidateValue !== null ? candidateValue - activeValue : null };
  };
  const types = INVARIANCE_TYPES.filter((type) => active?.flipRates[type] !== undefined || candidate?.flipRates[type] !== undefined);
  return [
    row('maxFlipRate', active?.maxFlipRate, candidate?.maxFlipRate),
    ...types.map((type) => row(`flipRate.${type}`, active?.flipRates[type], candidate?.flipRates[type])),
    row('minDisparateImpact', active?.minDisparateImpact, candidate?.minDisparateImpact),
    row('warnings', active?.warnings.length, candidate?.warnings.length),
  ];
}

const SOURCE_NAMES: Record<Source, string> = { stored: 'its latest stored audit', folder: "its folder's audit.json", card: "its model card's summary" };

/** One or two sentences: where each summary came from, and the command that audits a version that has none. */
export function auditNote(botId: string, sides: { active: { audit: VersionAudit; dir: string }; candidate: { audit: VersionAudit; dir: string } }): string {
  return (['active', 'candidate'] as const)
    .map((side) => {
      const { audit, dir } = sides[side];
      const name = side === 'active' ? 'The active version' : 'The candidate';
      return audit ? `${name}: ${SOURCE_NAMES[audit.source]}.` : `${name} has no audit: npm run audit -- --model ${dir} --bot ${botId}`;
    })
    .join(' ');
}
