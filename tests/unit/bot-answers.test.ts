import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ANSWER_MAX,
  BotContentError,
  LABEL_MAX,
  QUICK_REPLIES_MAX,
  QUICK_REPLY_TEXT_MAX,
  botContentSchema,
  type BotContent,
  humanizeIntent,
  intentLabel,
  loadBotContent,
  parseBotContent,
} from '@/lib/bot/answers';
import raw from '@/lib/bot/answers/banking77.json';

import { parseModelCard } from '@/lib/model/card';

// The bot's intents are the model's labels without its out-of-scope one (the model card ships
// with the model, so the check runs wherever the repository is).
const card = parseModelCard(JSON.parse(readFileSync(path.join(process.cwd(), 'public/models/banking77/model-card.json'), 'utf8')));
const categories = card.labels.filter((label) => label !== card.outOfScopeLabel);

const URGENT_SECURITY = ['lost_or_stolen_card', 'compromised_card', 'card_payment_not_recognised', 'cash_withdrawal_not_recognised'];

const MARKUP = [/<[a-z/!][^>]*>/i, /\*\*/, /__/, /`/, /^\s{0,3}#{1,6}\s/m, /^\s*[-*+]\s/m, /\[[^\]]*\]\([^)]*\)/, /&[a-z]+;/i];

// The raw file, so that each content rule below fails on its own; the first test checks that it parses.
const content = raw as unknown as BotContent;
const entries = Object.entries(content.intents);

describe('banking77 bot content', () => {
  it('parses against the schema and identifies the bot', () => {
    const parsed = botContentSchema.safeParse(raw);
    expect(parsed.error?.issues ?? []).toEqual([]);
    expect(loadBotContent('banking77')).toEqual(parsed.data);
    expect(content.bot).toBe('banking77');
    expect(content.name).toBe('Lumen Bank assistant');
    expect(content.greeting.length).toBeGreaterThan(20);
    expect(content.clarifyPrompt).toMatch(/did you mean/i);
    for (const text of Object.values(content.handoff)) expect(text.trim().length).toBeGreaterThan(0);
  });

  it('covers exactly the 77 Banking77 intents, by their exact names', () => {
    expect(categories).toHaveLength(77);
    expect(Object.keys(content.intents).sort()).toEqual([...categories].sort());
  });

  it('has short, unique labels', () => {
    const labels = entries.map(([, entry]) => entry.label.toLowerCase());
    expect(new Set(labels).size).toBe(labels.length);
    for (const [intent, entry] of entries) {
      expect(entry.label.length, intent).toBeLessThanOrEqual(LABEL_MAX);
      expect(entry.label, intent).not.toMatch(/_/);
    }
  });

  it('has concise plain-text answers of one to four sentences', () => {
    const texts = [
      ...entries.map(([intent, entry]) => [intent, entry.answer] as const),
      ['greeting', content.greeting] as const,
      ['clarifyPrompt', content.clarifyPrompt] as const,
      ...Object.entries(content.handoff),
    ];
    for (const [where, text] of texts) {
      for (const pattern of MARKUP) expect(text, `${where} contains markup`).not.toMatch(pattern);
    }
    for (const [intent, entry] of entries) {
      expect(entry.answer.length, intent).toBeLessThanOrEqual(ANSWER_MAX);
      const sentences = entry.answer.split(/(?<=[.!?])\s+/).filter((s) => s.trim().length > 0);
      expect(sentences.length, intent).toBeGreaterThanOrEqual(1);
      expect(sentences.length, intent).toBeLessThanOrEqual(4);
      expect(entry.answer, `${intent} should not state a specific amount`).not.toMatch(/[£$€]\s?\d|\d+(\.\d+)?\s?%/);
    }
  });

  it('offers quick replies that lead to a known, different intent', () => {
    const known = new Set(categories);
    let total = 0;
    for (const [intent, entry] of entries) {
      expect(entry.quickReplies.length, intent).toBeLessThanOrEqual(QUICK_REPLIES_MAX);
      for (const reply of entry.quickReplies) {
        total += 1;
        expect(known.has(reply.intent), `${intent} → ${reply.intent}`).toBe(true);
        expect(reply.intent, intent).not.toBe(intent);
        expect(reply.text.length, reply.text).toBeLessThanOrEqual(QUICK_REPLY_TEXT_MAX);
      }
      const targets = entry.quickReplies.map((reply) => reply.intent);
      expect(new Set(targets).size, `${intent} repeats a quick reply target`).toBe(targets.length);
    }
    expect(total).toBeGreaterThan(0);
  });

  it('maps the same quick reply text to the same intent everywhere', () => {
    const seen = new Map<string, string>();
    for (const [, entry] of entries) {
      for (const reply of entry.quickReplies) {
        const previous = seen.get(reply.text.toLowerCase());
        if (previous !== undefined) expect(reply.intent, reply.text).toBe(previous);
        seen.set(reply.text.toLowerCase(), reply.intent);
      }
    }
  });

  it('tells the customer to freeze the card first for urgent security matters', () => {
    for (const intent of URGENT_SECURITY) {
      const answer = content.intents[intent]?.answer ?? '';
      const first = answer.split(/(?<=[.!?])\s+/)[0] ?? '';
      expect(first, intent).toMatch(/freeze/i);
      expect(first, intent).toMatch(/card/i);
    }
  });
});

describe('out-of-scope names', () => {
  it('default to generic names and no class names: the model card names the class', () => {
    const parsed = parseBotContent({ ...raw, outOfScope: undefined });
    expect(parsed.outOfScope).toEqual({ intents: [], label: "Something I can't help with", operatorLabel: 'Out of scope' });
    expect(intentLabel(parsed, card.outOfScopeLabel!, 'operator')).not.toBe('Out of scope');
  });
});

describe('loadBotContent', () => {
  it('throws a clear error for an unknown bot', () => {
    expect(() => loadBotContent('nope')).toThrow(BotContentError);
    expect(() => loadBotContent('nope')).toThrow(/Unknown bot "nope".*banking77/);
    expect(() => loadBotContent('toString')).toThrow(/Unknown bot/);
  });

  it('rejects invalid content and names each problem', () => {
    const broken = structuredClone(raw) as unknown as {
      intents: Record<string, { label: string; answer: string; quickReplies: { text: string; intent: string }[] }>;
    };
    broken.intents.card_arrival.label = broken.intents.card_linking.label;
    broken.intents.card_arrival.answer = '**Bold** claims';
    broken.intents.card_arrival.quickReplies = [{ text: 'Where is my card?', intent: 'card_arrival' }];
    broken.intents.card_linking.quickReplies = [{ text: 'Hi', intent: 'not_an_intent' }];
    let error: unknown;
    try {
      parseBotContent(broken);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BotContentError);
    const message = (error as Error).message;
    expect(message).toMatch(/intents\.card_arrival\.answer: must be plain text/);
    expect(message).toMatch(/intents\.card_(arrival|linking)\.label: label ".*" is also used by/);
    expect(message).toMatch(/intents\.card_arrival\.quickReplies\.0\.intent: a quick reply must lead to a different intent/);
    expect(message).toMatch(/intents\.card_linking\.quickReplies\.0\.intent: unknown intent "not_an_intent"/);
  });

  it('rejects answers over the length limit', () => {
    const long = structuredClone(raw) as unknown as { intents: Record<string, { answer: string }> };
    long.intents.age_limit.answer = 'a'.repeat(ANSWER_MAX + 1);
    expect(() => parseBotContent(long)).toThrow(/intents\.age_limit\.answer/);
  });
});

describe('intentLabel', () => {
  it('uses the written label', () => {
    expect(intentLabel(loadBotContent('banking77'), 'card_arrival')).toBe("My card hasn't arrived");
  });

  it('falls back to a readable form of the intent name', () => {
    expect(intentLabel(content, 'some_new_intent')).toBe('Some new intent');
    expect(intentLabel(content, 'constructor')).toBe('Constructor');
    expect(humanizeIntent('reverted_card_payment?')).toBe('Reverted card payment');
    expect(humanizeIntent('Refund_not_showing_up')).toBe('Refund not showing up');
  });
});
