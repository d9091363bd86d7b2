import { randomUUID } from 'node:crypto';

/** A valid turn record as the browser posts it (user message, reply, prediction), with fresh ids. */
export function turnRecord(conversationId = randomUUID(), seq = 0, text = 'my card has not arrived') {
  return {
    conversationId,
    botId: 'banking77',
    user: { id: randomUUID(), seq, text, parts: { kind: 'typed' as const } },
    reply: { id: randomUUID(), seq: seq + 1, text: 'Cards arrive within 7 working days.', parts: { kind: 'answer' as const, intent: 'card_arrival' } },
    prediction: {
      id: randomUUID(),
      modelId: 'banking77',
      modelVersion: 'test',
      intent: 'card_arrival',
      confidence: 0.91,
      topK: [{ intent: 'card_arrival', probability: 0.91 }],
      decision: 'answer' as const,
      backend: 'wasm' as const,
      latencyMs: 3,
    },
  };
}
