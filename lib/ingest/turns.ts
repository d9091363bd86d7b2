import 'server-only';
import { z } from 'zod';
import { ingestExplanationBatch, postedBytes, refused } from '@/lib/ingest/explanations';
import { MAX_TURN_BATCH_BYTES, MAX_TURN_BYTES, isTurnBatch, turnBatchSchema, turnRecordSchema, type TurnOutcome, type TurnRecord } from '@/lib/records/turn';
import { getConfig } from '@/lib/config';
import { storeTurns, type StoreOutcome } from '@/lib/db/queries/chat';
import { StoreError } from '@/lib/db/errors';
import { apiErrorOf, ApiError, badRequest, invalidBody, payloadTooLarge, readJson } from '@/lib/http/errors';
import { limitChatBytes, limitChatRecords, limitChatRequest, tooManyRecords } from '@/lib/http/rate-limit';
import { activeFacts, recordFacts, type BotFacts, type RecordFacts } from '@/lib/verify/bots';
import { verifyAfterResponse } from '@/lib/verify/verifier';
import { handoffOpeningOf } from './handoffs';
import { redactTurn } from './redact-records';

type Schedule = (task: () => Promise<void>) => void;

const anyJson = z.unknown();

/**
 * `POST /api/turns`: one turn (answered 201 stored / 200 duplicate, or a 4xx) or a batch
 * `{ turns: [ … ], explanations?: [{ predictionId, explanations }] }` (answered 200 with one outcome
 * per record, `TurnBatchAnswer`). A batch's records are validated and stored each on its own, so a
 * bad record never blocks the good ones, and count against the rate limit one by one (turns
 * first). Explanations are stored after the turns, so a turn and its explanations can travel in
 * one post. Every stored turn with a prediction is handed to the
 * verifier after the response (`schedule` is Next's `after`).
 */
export async function ingestTurns(request: Request, schedule: Schedule): Promise<Response> {
  await limitChatRequest(request);
  const body = await readJson(request, anyJson, MAX_TURN_BATCH_BYTES);
  if (!isTurnBatch(body)) {
    // A single turn keeps its own, smaller cap (when the client declares its length).
    if (Number(request.headers.get('content-length') ?? 0) > MAX_TURN_BYTES) throw payloadTooLarge(MAX_TURN_BYTES);
    const parsed = turnRecordSchema.safeParse(body);
    if (!parsed.success) throw invalidBody(parsed.error);
    const checkedAgainst = await factsOfTurns([parsed.data]);
    const misfit = checkTurn(parsed.data, checkedAgainst(parsed.data));
    if (misfit) throw misfit;
    const outcome = await storeTurnRecord(parsed.data, checkedAgainst);
    if (outcome === 'stored') verifyAfterResponse(parsed.data, schedule);
    return Response.json({ outcome }, { status: outcome === 'stored' ? 201 : 200 });
  }
  const batch = turnBatchSchema.safeParse(body);
  if (!batch.success) throw invalidBody(batch.error);
  const postedExplanations = batch.data.explanations ?? [];
  const records = batch.data.turns.length + postedExplanations.length;
  const { fitting, retryAfterSeconds } = await limitChatRecords(request, records);
  const overLimit = () => refused(tooManyRecords(retryAfterSeconds));
  const outcomes: TurnOutcome[] = batch.data.turns.map((_, index) => (index < fitting ? { outcome: 'stored' } : overLimit()));
  const valid: { index: number; turn: TurnRecord }[] = [];
  const parsedTurns = batch.data.turns.slice(0, fitting).map((posted) => turnRecordSchema.safeParse(posted));
  const checkedAgainst = await factsOfTurns(parsedTurns.flatMap((parsed) => (parsed.success ? [parsed.data] : [])));
  parsedTurns.forEach((parsed, index) => {
    const misfit = parsed.success ? checkTurn(parsed.data, checkedAgainst(parsed.data)) : invalidBody(parsed.error);
    if (misfit) outcomes[index] = refused(misfit);
    else valid.push({ index, turn: parsed.data! });
  });
  const stored = await storeTurnRecords(
    valid.map(({ turn }) => turn),
    checkedAgainst,
  );
  stored.forEach((outcome, position) => {
    const { index, turn } = valid[position]!;
    if (outcome instanceof ApiError) {
      outcomes[index] = refused(outcome);
      return;
    }
    outcomes[index] = { outcome };
    if (outcome === 'stored') verifyAfterResponse(turn, schedule);
  });
  // The explanations' bytes count against the client's budget for work; past it they alone are refused.
  let overBudget: ApiError | null = null;
  if (postedExplanations.length > 0) {
    try {
      await limitChatBytes(request, postedBytes(request, body));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      overBudget = error;
    }
  }
  const explanationOutcomes = await ingestExplanationBatch(postedExplanations, fitting - batch.data.turns.length, tooManyRecords(retryAfterSeconds), overBudget);
  return Response.json(
    { outcomes, ...(batch.data.explanations ? { explanationOutcomes } : {}) },
    { status: 200, headers: fitting < records ? { 'Retry-After': String(retryAfterSeconds) } : undefined },
  );
}

/** What a turn is checked against: the facts `recordFacts` gives for the bot and version it names. */
export type TurnFacts = (turn: TurnRecord) => RecordFacts | null;

/**
 * What each turn is checked against (lib/verify/bots.ts `recordFacts`): the facts of the model
 * version its prediction names when that version is stored and not retired, else of the bot's
 * active version. Looked up once per bot and version the turns name, the active version once per bot.
 */
export async function factsOfTurns(turns: readonly TurnRecord[]): Promise<TurnFacts> {
  const key = (turn: TurnRecord) => `${turn.botId}\u0000${turn.prediction?.modelVersion ?? ''}`;
  const found = new Map<string, RecordFacts | null>();
  const active = new Map<string, Promise<BotFacts | null>>();
  const activeOf = (botId: string) => () => {
    if (!active.has(botId)) active.set(botId, activeFacts(botId));
    return active.get(botId)!;
  };
  for (const turn of turns) {
    if (!found.has(key(turn))) found.set(key(turn), await recordFacts(turn.botId, turn.prediction?.modelVersion ?? null, activeOf(turn.botId)));
  }
  return (turn) => found.get(key(turn)) ?? null;
}

/**
 * Stores validated turns (`checkTurn` passed), each atomic on its own, with the personal data in
 * their free text masked first (`REDACT_PII`; a model version the bot has stored is an id, kept
 * as it is) and the hand-off a reply opens derived from the turn as stored
 * (lib/ingest/handoffs.ts, written in the turn's transaction), and says per turn, in the given
 * order, what became of it: 'stored', 'duplicate' (a retry), or the ApiError a single post would
 * have got (a conflict). `checkedAgainst`: the facts `checkTurn` used, looked up when not given.
 */
export async function storeTurnRecords(turns: readonly TurnRecord[], checkedAgainst?: TurnFacts): Promise<(StoreOutcome | ApiError)[]> {
  const kinds = getConfig().REDACT_PII;
  const facts = checkedAgainst ?? (await factsOfTurns(turns));
  const redacted = turns.map((turn) => redactTurn(turn, { kinds, keepModelVersion: facts(turn)?.stored ?? false }));
  const rows = await Promise.all(
    redacted.map(async (turn) => {
      const handoff = await handoffOpeningOf(turn, redacted);
      return handoff ? { ...turn, handoff } : turn;
    }),
  );
  const outcomes = await storeTurns(rows);
  return outcomes.map((outcome) => (outcome instanceof StoreError ? apiErrorOf(outcome) : outcome));
}

/** Stores one validated turn as `storeTurnRecords` does, throwing the ApiError of a conflict. */
export async function storeTurnRecord(turn: TurnRecord, checkedAgainst?: TurnFacts): Promise<StoreOutcome> {
  const [outcome] = await storeTurnRecords([turn], checkedAgainst);
  if (outcome instanceof ApiError) throw outcome;
  return outcome!;
}

/**
 * What the server can check of a turn beyond its schema, against the model version it is checked
 * against (`factsOfTurns`: the one the prediction names, when stored and not retired, else the
 * bot's active one; a record of another version is stored and its verification then fails,
 * saying why): the bot must have a model here, the prediction must name it, every intent a turn
 * carries must be one of the version's labels, and a message the model classified (typed, a
 * quick reply, a clarification not answered by a choice) must carry its prediction, so that
 * every stored turn is checked. Null when the turn is fine, else the 400 saying why.
 */
export function checkTurn(turn: TurnRecord, checkedAgainst: { facts: BotFacts } | null): ApiError | null {
  const bot = checkedAgainst?.facts;
  if (!bot) return badRequest(`No model is served for bot "${turn.botId}".`, [{ path: 'botId', message: 'must name a bot served here' }]);
  const { user, reply, prediction } = turn;
  const labelled: [path: string, intent: string | undefined][] = [
    ['user.parts.chosenIntent', user.parts.chosenIntent],
    ['reply.parts.intent', reply.parts.intent],
    ...(reply.parts.quickReplies ?? []).map((quick, i): [string, string | undefined] => [`reply.parts.quickReplies.${i}.intent`, quick.intent]),
    ...(reply.parts.options ?? []).map((option, i): [string, string | undefined] => [`reply.parts.options.${i}.intent`, option.intent]),
  ];
  const classified = user.parts.kind !== 'handoff-request' && !(user.parts.kind === 'clarification' && user.parts.chosenIntent);
  if (prediction) {
    if (prediction.modelId !== turn.botId) return badRequest(`The prediction names model "${prediction.modelId}", but the conversation is with bot "${turn.botId}".`, [{ path: 'prediction.modelId', message: 'must be the bot id' }]);
    labelled.push(['prediction.intent', prediction.intent], ...prediction.topK.map((entry, i): [string, string] => [`prediction.topK.${i}.intent`, entry.intent]));
  } else if (classified) {
    return badRequest(`A ${user.parts.kind} message is classified by the model, so its turn must carry the prediction.`, [{ path: 'prediction', message: 'is required' }]);
  }
  const unknown = labelled.filter(([, intent]) => intent !== undefined && !bot.labelIndex.has(intent));
  if (unknown.length > 0) {
    return badRequest(
      `${unknown.map(([path]) => path).join(', ')} must name an intent of the ${bot.botId} model.`,
      unknown.map(([path]) => ({ path, message: `is not a label of the ${bot.botId} model` })),
    );
  }
  return null;
}
