import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { humanizeIntent, intentLabel, loadBotContent } from '@/lib/bot/answers';
import { answerClassified, answerFor, composeReply, handoffConfirmation } from '@/lib/bot/reply';
import { predictionRecordSchema, replyPartsSchema } from '@/lib/records/turn';
import { classifierFacts, probabilitiesFor } from '../support/turns';

const content = loadBotContent('banking77');

describe('replies', () => {
  it("answers with the intent's own text and follow-up questions", () => {
    const reply = composeReply(content, { kind: 'answer', intent: 'card_arrival', confidence: 0.9 });
    expect(reply.text).toBe(content.intents.card_arrival!.answer);
    expect(reply.parts.kind).toBe('answer');
    expect(reply.parts.quickReplies).toEqual(content.intents.card_arrival!.quickReplies);
    expect(replyPartsSchema.parse(reply.parts)).toEqual(reply.parts);
  });

  it('suggests only the follow-up questions the answering model version has an intent for', () => {
    const suggested = content.intents.card_arrival!.quickReplies;
    expect(suggested.length).toBeGreaterThan(1);
    const [kept, ...dropped] = suggested;
    // A candidate trained on fewer intents: it knows the answer's intent and the first suggestion's only.
    const labels = ['card_arrival', kept!.intent, 'exchange_rate'];
    expect(answerFor(content, 'card_arrival', labels).parts.quickReplies).toEqual([kept]);
    expect(composeReply(content, { kind: 'answer', intent: 'card_arrival', confidence: 0.9 }, 'en', labels).parts.quickReplies).toEqual([kept]);
    for (const reply of dropped) expect(labels).not.toContain(reply.intent);
    // Without labels (the bot's content alone), every suggestion.
    expect(answerFor(content, 'card_arrival').parts.quickReplies).toEqual(suggested);
  });

  it('offers the close intents by their labels when clarifying', () => {
    const reply = composeReply(content, {
      kind: 'clarify',
      intent: 'card_arrival',
      confidence: 0.48,
      options: [
        { intent: 'card_arrival', probability: 0.48 },
        { intent: 'card_delivery_estimate', probability: 0.41 },
      ],
    });
    expect(reply.text).toBe(content.clarifyPrompt);
    expect(reply.parts.options).toEqual([
      { intent: 'card_arrival', probability: 0.48, label: content.intents.card_arrival!.label },
      { intent: 'card_delivery_estimate', probability: 0.41, label: content.intents.card_delivery_estimate!.label },
    ]);
    expect(replyPartsSchema.parse(reply.parts)).toEqual(reply.parts);
  });

  it('hands off with the text for the reason', () => {
    expect(composeReply(content, { kind: 'handoff', intent: 'oos', confidence: 0.9, reason: 'out_of_scope' }).text).toBe(content.handoff.outOfScope);
    expect(composeReply(content, { kind: 'handoff', intent: 'card_arrival', confidence: 0.2, reason: 'unsure' }).text).toBe(content.handoff.unsure);
    expect(handoffConfirmation(content).parts).toEqual({ kind: 'handoff-requested', handoffReason: 'requested' });
  });

  it('every intent of the bot gives a reply the API accepts', () => {
    for (const intent of Object.keys(content.intents)) {
      expect(replyPartsSchema.safeParse(answerFor(content, intent).parts).success, intent).toBe(true);
    }
  });
});

describe('a classified message', () => {
  const facts = classifierFacts();
  const run = { id: '0b7f5a52-7a43-4d5e-9f0e-4a4f8c1d2e3f', backend: 'webgpu' as const, latencyMs: 12.5 };
  const text = 'my card has not arrived';

  it("becomes the decision, the reply and the prediction record the transport stores", () => {
    const probabilities = probabilitiesFor(facts.labels, 'card_arrival', 0.9);
    const { decision, reply, prediction } = answerClassified(content, facts, { text, probabilities }, run);
    expect(decision).toEqual({ kind: 'answer', intent: 'card_arrival', confidence: 0.9 });
    expect(reply).toEqual(composeReply(content, decision));
    expect(prediction).toEqual({
      id: run.id,
      modelId: facts.bot,
      modelVersion: facts.version,
      intent: 'card_arrival',
      confidence: 0.9,
      topK: expect.any(Array),
      decision: 'answer',
      backend: 'webgpu',
      latencyMs: 12.5,
    });
    expect(prediction.topK).toHaveLength(5);
    expect(prediction.topK[0]).toEqual({ intent: 'card_arrival', probability: 0.9 });
    expect(prediction.topK.every((entry, i) => i === 0 || entry.probability <= prediction.topK[i - 1]!.probability)).toBe(true);
    expect(predictionRecordSchema.parse(prediction)).toEqual(prediction);
  });

  it("hands off when the model's out-of-scope class wins, and asks when two intents are close", () => {
    const outOfScope = answerClassified(content, facts, { text, probabilities: probabilitiesFor(facts.labels, facts.outOfScopeLabel!, 0.8) }, run);
    expect(outOfScope.prediction).toMatchObject({ intent: facts.outOfScopeLabel, decision: 'handoff' });
    expect(outOfScope.reply).toEqual({ text: content.handoff.outOfScope, parts: { kind: 'handoff', intent: facts.outOfScopeLabel, handoffReason: 'out_of_scope' } });

    const close = facts.labels.map((label) => (label === 'card_arrival' ? 0.6 : label === 'card_delivery_estimate' ? 0.39 : 0.01 / (facts.labels.length - 2)));
    const clarify = answerClassified(content, facts, { text, probabilities: close }, run);
    expect(clarify.prediction).toMatchObject({ intent: 'card_arrival', decision: 'clarify', confidence: 0.6 });
    expect(clarify.reply.parts).toMatchObject({ kind: 'clarify', intent: 'card_arrival' });
    expect(clarify.reply.parts.options!.map((option) => option.intent).slice(0, 2)).toEqual(['card_arrival', 'card_delivery_estimate']);
  });

  it('hands off to a person instead of giving the same answer twice in a row, and records the model’s decision as it was', () => {
    const probabilities = probabilitiesFor(facts.labels, 'card_arrival', 0.9);
    const first = answerClassified(content, facts, { text, probabilities }, run);
    const again = answerClassified(content, facts, { text, probabilities }, run, first.reply.parts);
    expect(again.reply).toEqual({ text: content.handoff.repeated, parts: { kind: 'handoff', intent: 'card_arrival', handoffReason: 'repeated' } });
    expect(replyPartsSchema.parse(again.reply.parts)).toEqual(again.reply.parts);
    expect(again.prediction).toMatchObject({ intent: 'card_arrival', decision: 'answer' });

    // Another intent, or a previous reply that was not an answer, is no repeat.
    const other = answerClassified(content, facts, { text, probabilities: probabilitiesFor(facts.labels, 'change_pin', 0.9) }, run, first.reply.parts);
    expect(other.reply).toEqual(composeReply(content, other.decision));
    expect(answerClassified(content, facts, { text, probabilities }, run, handoffConfirmation(content).parts).reply).toEqual(first.reply);
    // A clarifying question between two answers resets it; asking to clarify the same intent is not a repeat either.
    const close = facts.labels.map((label) => (label === 'card_arrival' ? 0.6 : label === 'card_delivery_estimate' ? 0.39 : 0.01 / (facts.labels.length - 2)));
    expect(answerClassified(content, facts, { text, probabilities: close }, run, first.reply.parts).reply.parts.kind).toBe('clarify');
  });
});

describe('display names', () => {
  // The demo model's own class names, as the browser and the server get them.
  const modelLabels = Object.values(
    (JSON.parse(readFileSync(path.join(process.cwd(), 'public/models/banking77/config.json'), 'utf8')) as { id2label: Record<string, string> }).id2label,
  );

  it('names the out-of-scope class for each reader, never "Oos"', () => {
    expect(modelLabels).toContain('oos');
    expect(intentLabel(content, 'oos')).toBe("Something I can't help with");
    expect(intentLabel(content, 'oos', 'operator')).toBe('Out of scope');
    expect(intentLabel(content, 'out_of_scope', 'operator')).toBe('Out of scope');
  });

  it('gives every class the model can predict a display name from the bot content', () => {
    for (const label of modelLabels) {
      expect(Object.hasOwn(content.intents, label) || content.outOfScope.intents.includes(label), label).toBe(true);
      for (const reader of ['customer', 'operator'] as const) expect(intentLabel(content, label, reader), label).not.toMatch(/^Oos$|_/);
    }
    // Only a name the bot does not know falls back to a readable form of itself.
    expect(intentLabel(content, 'new_intent_name')).toBe(humanizeIntent('new_intent_name'));
  });
});
