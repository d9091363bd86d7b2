import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { humanizeIntent, intentLabel, loadBotContent } from '@/lib/bot/answers';
import { answerFor, composeReply, handoffConfirmation } from '@/lib/bot/reply';
import { replyPartsSchema } from '@/lib/records/turn';

const content = loadBotContent('banking77');

describe('replies', () => {
  it("answers with the intent's own text and follow-up questions", () => {
    const reply = composeReply(content, { kind: 'answer', intent: 'card_arrival', confidence: 0.9 });
    expect(reply.text).toBe(content.intents.card_arrival!.answer);
    expect(reply.parts.kind).toBe('answer');
    expect(reply.parts.quickReplies).toEqual(content.intents.card_arrival!.quickReplies);
    expect(replyPartsSchema.parse(reply.parts)).toEqual(reply.parts);
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
