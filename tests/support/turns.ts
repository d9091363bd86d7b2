import { randomUUID } from 'node:crypto';
import { loadBotContent } from '@/lib/bot/answers';
import { answerClassified, handoffConfirmation, type ClassifierFacts } from '@/lib/bot/reply';
import { parseConfig } from '@/lib/config';
import type { PredictionRecord, TurnRecord } from '@/lib/records/turn';
import { bundledModelDir } from '@/lib/model/versions';
import { folderFacts, type BotFacts } from '@/lib/verify/bots';

/** The demo bot (the one served when DEFAULT_BOT is not set), whose model folder ships with the repository. */
export const DEMO_BOT = parseConfig({}).DEFAULT_BOT;

const bundled = new Map<string, BotFacts>();

/** The facts of the model folder the build ships for a bot (`public/models/<botId>/`), its version the folder's hash; read once. */
export function bundledFacts(botId = DEMO_BOT): BotFacts {
  let facts = bundled.get(botId);
  if (!facts) {
    const read = folderFacts(botId, bundledModelDir(botId));
    if (!read) throw new Error(`no model card for bot ${botId}`);
    bundled.set(botId, (facts = read));
  }
  return facts;
}

/** What the transport knows of a bot's model when it classifies: read from the shipped model card. */
export function classifierFacts(botId = DEMO_BOT): ClassifierFacts {
  const facts = bundledFacts(botId);
  return { bot: botId, version: facts.version, labels: [...facts.labels], outOfScopeLabel: facts.outOfScopeLabel, thresholds: facts.thresholds, language: facts.language, characters: facts.characters };
}

/** Probabilities over the model's labels with `confidence` on `intent` and the rest spread evenly. */
export function probabilitiesFor(labels: readonly string[], intent: string, confidence: number): number[] {
  const at = labels.indexOf(intent);
  if (at < 0) throw new Error(`${intent} is not a label of the model`);
  const rest = (1 - confidence) / (labels.length - 1);
  return labels.map((_, i) => (i === at ? confidence : rest));
}

export type TurnOptions = {
  conversationId?: string;
  seq?: number;
  text?: string;
  botId?: string;
  /** The intent the model puts first, and how sure it is. */
  intent?: string;
  confidence?: number;
  /** Or the model's whole output, over its labels. */
  probabilities?: number[];
  /**
   * The model version the record names. Default: one the server does not serve, so a turn stored
   * through the ingest is never verified by a run of the real model unless a test asks for it.
   */
  modelVersion?: string;
  backend?: PredictionRecord['backend'];
  latencyMs?: number;
};

/** A turn whose message the model classified: it always has its prediction. */
export type ClassifiedTurn = TurnRecord & { prediction: PredictionRecord };

/**
 * A valid turn record as the browser posts it (user message, reply, prediction), with fresh ids,
 * built by the transport's own `answerClassified` from the demo bot's content and model card.
 */
export function classifiedTurn(options: TurnOptions = {}): ClassifiedTurn {
  const botId = options.botId ?? DEMO_BOT;
  const facts = { ...classifierFacts(botId), version: options.modelVersion ?? 'test' };
  const probabilities = options.probabilities ?? probabilitiesFor(facts.labels, options.intent ?? 'card_arrival', options.confidence ?? 0.91);
  const text = options.text ?? 'my card has not arrived';
  const { reply, prediction } = answerClassified(loadBotContent(botId), facts, { text, probabilities }, {
    id: randomUUID(),
    backend: options.backend ?? 'wasm',
    latencyMs: options.latencyMs ?? 3,
  });
  const seq = options.seq ?? 0;
  return {
    conversationId: options.conversationId ?? randomUUID(),
    botId,
    user: { id: randomUUID(), seq, text, parts: { kind: 'typed' } },
    reply: { id: randomUUID(), seq: seq + 1, text: reply.text, parts: reply.parts },
    prediction,
  };
}

/** `classifiedTurn` by position: a conversation, the user message's place in it, its text. */
export function turnRecord(conversationId: string = randomUUID(), seq = 0, text = 'my card has not arrived'): ClassifiedTurn {
  return classifiedTurn({ conversationId, seq, text });
}

/** The customer pressing "Talk to a person": no prediction, the bot confirms. */
export function handoffRequestTurn(conversationId: string, seq: number): TurnRecord {
  const reply = handoffConfirmation(loadBotContent(DEMO_BOT));
  return {
    conversationId,
    botId: DEMO_BOT,
    user: { id: randomUUID(), seq, text: 'Talk to a person', parts: { kind: 'handoff-request' } },
    reply: { id: randomUUID(), seq: seq + 1, text: reply.text, parts: reply.parts },
  };
}
