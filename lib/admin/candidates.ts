import 'server-only';
import path from 'node:path';
import { z } from 'zod';
import { knownBots } from '@/lib/bot/answers';
import { VERSION_HASH } from '@/lib/bot/registry';
import { getConfig } from '@/lib/config';
import { latestReplay, type StoredReplay } from '@/lib/db/queries/replays';
import { modelVersionApiError } from '@/lib/http/errors';
import {
  activeVersion,
  storedVersion,
  listVersions,
  MAX_REASON_LENGTH,
  modelChanges,
  ModelVersionError,
  previousVersion,
  promote,
  retire,
  rollBack,
  versionDir,
  type Actor,
  type ModelChangeInfo,
  type ModelVersionInfo,
} from '@/lib/model/versions';
import { readModelCard } from '@/lib/model/node';
import type { ReplayReport } from '@/lib/replay/report';
import { activeBot } from '@/lib/verify/bots';
import { intentNames } from './intents';
import { INVARIANCE_LABELS } from './model';

/**
 * The admin's Candidates page: which model version a bot serves, the stored versions that could
 * replace it with what their latest replay found (`npm run replay`), the retired ones, and the
 * change log; and the changes an admin makes from it (promote, roll back, retire), each with a
 * required reason, through lib/model/versions.ts.
 */

/** Changes of the log the page lists, newest first. */
export const CHANGES_SHOWN = 100;

export type CandidateReplay = {
  id: string;
  createdAt: Date;
  report: ReplayReport;
  /** Whether the replay compared the candidate with the version active now (else with one active before). */
  againstActive: boolean;
};

export type CandidateView = ModelVersionInfo & {
  /** Its folder in the model store, as a path from the project (what `npm run replay` takes). */
  folder: string;
  /** The command that replays stored traffic through it. */
  replayCommand: string;
  replay: CandidateReplay | null;
  /** Its registration in the change log (who stored it, from where); null when the log does not reach back to it. */
  registration: ModelChangeInfo | null;
};

export type ActiveView = ModelVersionInfo & {
  /** The change that made it active (its activation, promotion or roll back); null when the log does not reach back to it. */
  change: ModelChangeInfo | null;
};

export type CandidatesPageData = {
  /** The bots that have stored versions (the chat's bot always), for the bot switch. */
  bots: { id: string; name: string }[];
  bot: { id: string; name: string };
  active: ActiveView | null;
  /** The version a roll back restores, when there is one. */
  previous: ModelVersionInfo | null;
  /** Stored versions neither active nor retired, newest first. */
  candidates: CandidateView[];
  retired: ModelVersionInfo[];
  /** The change log, newest first (at most CHANGES_SHOWN). */
  changes: ModelChangeInfo[];
  /** The change `?changed=` names, when it is in the log: the page confirms it. */
  justChanged: ModelChangeInfo | null;
  /** The operator's name of every intent the page shows (plain data, for the why-panels). */
  intentNames: Record<string, string>;
};

/** The bot a `?bot=` parameter names, when this build knows it; else the chat's bot. */
export function candidatesBotId(value: string | string[] | undefined): string {
  return typeof value === 'string' && knownBots().includes(value) ? value : getConfig().DEFAULT_BOT;
}

export async function candidatesPageData(botId: string, changedId?: string | string[]): Promise<CandidatesPageData> {
  const defaultBot = getConfig().DEFAULT_BOT;
  // The chat's bot and the one shown get their bundled version stored and activated, as the chat would.
  const [active] = await Promise.all([activeVersion(botId), botId === defaultBot ? null : activeVersion(defaultBot)]);
  const others = await Promise.all(knownBots().map(async (id) => ({ id, versions: id === botId || id === defaultBot ? 1 : (await listVersions(id)).length })));
  const botIds = [defaultBot, ...others.filter((bot) => bot.versions > 0 && bot.id !== defaultBot).map((bot) => bot.id)];
  const [versions, changes, previous] = await Promise.all([listVersions(botId), modelChanges(botId, 500), previousVersion(botId)]);
  const candidates = await Promise.all(
    versions
      .filter((version) => !version.active && !version.retiredAt)
      .map(async (version): Promise<CandidateView> => {
        const folder = path.relative(process.cwd(), versionDir(botId, version.hash)!) || '.';
        const stored = await latestReplay(botId, version.hash);
        const registration = changes.find((change) => change.action === 'register' && (change.fromHash === version.hash || change.toHash === version.hash)) ?? null;
        return { ...version, folder, replayCommand: `npm run replay -- --bot ${botId} --model ${folder}`, replay: stored && candidateReplay(stored, active), registration };
      }),
  );
  const reports = candidates.flatMap((candidate) => (candidate.replay ? [candidate.replay.report] : []));
  const activating = active ? (changes.find((change) => change.toHash === active.hash && change.action !== 'register' && change.action !== 'retire') ?? null) : null;
  const bots = await Promise.all(botIds.map(async (id) => ({ id, name: (await activeBot(id)).displayName })));
  return {
    bots,
    bot: bots.find((bot) => bot.id === botId) ?? { id: botId, name: (await activeBot(botId)).displayName },
    active: active && { ...active, change: activating },
    previous,
    candidates,
    retired: versions.filter((version) => version.retiredAt),
    changes: changes.slice(0, CHANGES_SHOWN),
    justChanged: typeof changedId === 'string' ? (changes.find((change) => change.id === changedId) ?? null) : null,
    intentNames: await intentNames(botId, reports.flatMap(reportIntents)),
  };
}

function candidateReplay(stored: StoredReplay, active: ModelVersionInfo | null): CandidateReplay {
  return { id: stored.id, createdAt: stored.createdAt, report: stored.report, againstActive: active !== null && stored.activeHash === active.hash };
}

/** Every intent a report names (its flips' answers and its groups' labels): the page shows each by its operator name. */
function reportIntents(report: ReplayReport): string[] {
  const ofKey = (key: string) => intentOfAnswerKey(key) ?? [];
  return [
    ...report.flipsByPair.flatMap((pair) => [ofKey(pair.from), ofKey(pair.to)].flat()),
    ...report.flipped.flatMap((group) => [group.active.intent, group.candidate.intent, ...(group.label ? [group.label] : [])]),
  ];
}

/** The intent of an answer key (`answer:<intent>`, `clarify:<intent>`); null for a hand-off or an unread message. */
export function intentOfAnswerKey(key: string): string | null {
  const colon = key.indexOf(':');
  return colon > 0 ? key.slice(colon + 1) : null;
}

/** What the customer gets, as an operator reads an answer key: the intent's name, "Clarify: …", "Hand-off", "Could not read". */
export function answerKeyLabel(key: string, labelOf: (intent: string) => string): string {
  const intent = intentOfAnswerKey(key);
  if (key.startsWith('answer:') && intent) return labelOf(intent);
  if (key.startsWith('clarify:') && intent) return `Clarify: ${labelOf(intent)}?`;
  if (key === 'handoff') return 'Hand-off';
  if (key === 'unreadable') return 'Could not read';
  return key;
}

/** How an operator reads an audit delta's metric, and which way is better. */
export function auditMetric(metric: string): { label: string; format: 'share' | 'ratio' | 'count'; better: 'lower' | 'higher' } {
  if (metric === 'maxFlipRate') return { label: 'Highest flip rate', format: 'share', better: 'lower' };
  if (metric === 'minDisparateImpact') return { label: 'Lowest Disparate Impact', format: 'ratio', better: 'higher' };
  if (metric === 'warnings') return { label: 'Warnings', format: 'count', better: 'lower' };
  const type = metric.startsWith('flipRate.') ? metric.slice('flipRate.'.length) : null;
  if (type && Object.hasOwn(INVARIANCE_LABELS, type)) return { label: `Flip rate: ${INVARIANCE_LABELS[type as keyof typeof INVARIANCE_LABELS]}`, format: 'share', better: 'lower' };
  return { label: metric, format: 'count', better: 'lower' };
}

// --- Changes an admin makes from the page ---------------------------------------------------

const reason = z.string().max(4 * MAX_REASON_LENGTH);
const version = z.string().regex(VERSION_HASH, 'must be a model version (64 hex characters)');
export const promoteBodySchema = z.object({ version, reason });
export const rollBackBodySchema = z.object({ reason });
export const retireBodySchema = z.object({ version, reason });

/** The largest body a change takes: a version and a reason. */
export const CHANGE_BODY_BYTES = 16 * 1024;

/** Who made a change, in the log: the signed-in account. */
export const actorOf = (session: { user: { id: string; email: string } }): Actor => ({ id: session.user.id, name: session.user.email });

/** A refusal of lib/model/versions.ts becomes the API's answer (lib/http/errors.ts `MODEL_VERSION_ERROR_ANSWERS`). */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof ModelVersionError ? modelVersionApiError(error) : error;
  }
}

/** What a change's API answers: the logged change and the version the bot serves after it. */
export type ChangeAnswer = { change: ModelChangeInfo; active: string | null };

async function changeAnswer(botId: string, change: ModelChangeInfo): Promise<ChangeAnswer> {
  return { change, active: (await activeVersion(botId))?.hash ?? null };
}

/** A bot id from a route's path: the API knows only the bots this build has. */
function knownBot(botId: string): string {
  if (!knownBots().includes(botId)) throw new ModelVersionError('not_found', `There is no bot "${botId.slice(0, 60)}" here.`);
  return botId;
}

export const promoteCandidate = (botId: string, actor: Actor, body: z.infer<typeof promoteBodySchema>) =>
  answering(async () => changeAnswer(botId, await promote(knownBot(botId), body.version, actor, body.reason)));

export const rollBackActive = (botId: string, actor: Actor, body: z.infer<typeof rollBackBodySchema>) =>
  answering(async () => changeAnswer(botId, await rollBack(knownBot(botId), actor, body.reason)));

export const retireVersion = (botId: string, actor: Actor, body: z.infer<typeof retireBodySchema>) =>
  answering(async () => changeAnswer(botId, await retire(knownBot(botId), body.version, actor, body.reason)));

/**
 * What an operator's why-panel can run for a prediction that names `modelVersion`: its stored
 * version (with its labels, which it may be compared on), a note that it was retired, or
 * nothing (a version this store does not hold, e.g. named before versions were content hashes).
 */
export async function predictionModel(
  botId: string,
  modelVersion: string,
): Promise<{ kind: 'stored'; version: string; labels: string[] } | { kind: 'retired'; version: string; retiredAt: Date; reason: string | null } | { kind: 'unknown' }> {
  const found = await storedVersion(botId, modelVersion);
  if (!found) return { kind: 'unknown' };
  if (found.retiredAt) return { kind: 'retired', version: found.hash, retiredAt: found.retiredAt, reason: found.retiredReason };
  let labels: string[] = [];
  try {
    labels = readModelCard(versionDir(botId, found.hash)!)?.labels ?? [];
  } catch {
    // A card that cannot be read offers nothing to compare with.
  }
  return { kind: 'stored', version: found.hash, labels };
}
