import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { MASK, redact } from '@/lib/bot/redact';
import { feedbackSchema, turnRecordSchema } from '@/lib/records/turn';
import { EXPLAINERS } from '@/lib/explain';
import { explanationSchema, explanationSchemaFor, explanationsRecordSchema, type ExplanationRecord } from '@/lib/records/explanation';
import { explanationStringFieldsFor, fitExplanation } from '@/lib/ingest/fit-explanation';
import { RECORD_STRING_FIELDS, redactFeedback, redactTurn } from '@/lib/ingest/redact-records';
import { wordSpans } from '@/lib/model/spans';
import { firstWordExplainer, WITH_FIRST_WORD } from '../explain/support/first-word';
import { bundledFacts, turnRecord } from '../support/turns';

const CARD = '4111 1111 1111 1111';
const text = `my card ${CARD} never arrived`;
/** The message as the server stores it: masked, same length. */
const stored = redact(text).text;
const words = wordSpans(text, 'en');
const bot = bundledFacts();

function explanation(method: ExplanationRecord['method'], extra: Record<string, unknown>, scores: number[] | null, overrides: Record<string, unknown> = {}): ExplanationRecord {
  return explanationSchema.parse({
    method,
    version: 1,
    target: { index: 0, label: 'card_arrival', probability: 0.9 },
    settings: {},
    words,
    scores,
    extra,
    timing: { ms: 1, forwardPasses: 1 },
    ...overrides,
  });
}

function fitted(posted: ExplanationRecord, storedText = stored): ExplanationRecord {
  const fit = fitExplanation(posted, storedText, bot);
  if (!fit.ok) throw new Error(fit.problem);
  return fit.explanation;
}

function problem(posted: ExplanationRecord, storedText = stored): string {
  const fit = fitExplanation(posted, storedText, bot);
  if (fit.ok) throw new Error('expected a misfit');
  return fit.problem;
}

describe('explanations fitted to the stored message', () => {
  it('stores the stored text’s words, so a card number spread over several words stays masked; spans and scores are kept', () => {
    expect(stored).not.toContain('4111');
    const scores = words.map((_, i) => i / 10);
    const result = fitted(explanation('attention', { tokens: ['[CLS]', 'my', 'card', '41', '##11', '[SEP]'], tokenWords: [null, 0, 1, 2, 2, null] }, scores));
    expect(result.words.map((w) => w.text)).toEqual(['my', 'card', '••••', '••••', '••••', '1111', 'never', 'arrived']);
    expect(result.words.map((w) => [w.start, w.end])).toEqual(words.map((w) => [w.start, w.end]));
    expect(result.scores).toEqual(scores);
    expect(result.method === 'attention' && result.extra.tokens).toEqual(['[CLS]', 'my', 'card', '••', '##••', '[SEP]']);
  });

  it('masks a token that is not a piece of its word as stored', () => {
    const result = fitted(explanation('attention', { tokens: ['[CLS]', 'my', 'john@example.com', '[SEP]'], tokenWords: [null, 0, 1, null] }, null));
    expect(result.method === 'attention' && result.extra.tokens).toEqual(['[CLS]', 'my', MASK.repeat(16), '[SEP]']);
  });

  it("derives the counterfactual's words and text from the stored message, whatever was posted", () => {
    const result = fitted(
      explanation('counterfactual', { found: true, removed: [2, 7], removedWords: ['4111', 'arrived'], text: `my card ${CARD} never`, newIndex: 1, newLabel: 'card_delivery_estimate', newProbability: 0.5 }, null),
    );
    expect(result.method === 'counterfactual' && result.extra).toMatchObject({ removedWords: ['••••', 'arrived'], text: 'my card •••• •••• 1111 never', newLabel: 'card_delivery_estimate', newIndex: bot.labelIndex.get('card_delivery_estimate') });
  });

  it('derives the target index from its label, and refuses a label the model does not have', () => {
    expect(fitted(explanation('lime', {}, words.map(() => 0))).target.index).toBe(bot.labelIndex.get('card_arrival'));
    expect(problem(explanation('lime', {}, words.map(() => 0), { target: { index: 0, label: 'DE89370400440532013000', probability: 0.5 } }))).toMatch(/not a label/);
  });

  it('refuses overlapping or shifted words, and words whose text is not the message’s', () => {
    const plain = 'where is my card';
    const overlapping = explanationSchema.parse({ ...explanation('lime', {}, null), words: [{ text: '4111111111111111', start: 0, end: 16 }, { text: 'x', start: 5, end: 6 }] });
    expect(problem(overlapping, plain)).toMatch(/2 words posted, but the message has 4|spans/);
    const shifted = explanationSchema.parse({ ...explanation('lime', {}, null), words: wordSpans(plain, 'en').map((w) => ({ ...w, start: w.start + 1 })) });
    expect(problem(shifted, plain)).toMatch(/words\[0\] spans 1–5/);
    const replaced = explanationSchema.parse({ ...explanation('lime', {}, null), words: wordSpans(plain, 'en').map((w, i) => (i === 3 ? { ...w, text: '4111' } : w)) });
    expect(problem(replaced, plain)).toMatch(/words\[3\]\.text is not the message/);
    // Where the stored text is masked, the posted word may hold what the visitor typed.
    expect(fitted(explanation('lime', {}, null)).words[2]!.text).toBe('••••');
  });

  it('refuses spans past any message before any work (the schema bounds them)', () => {
    const huge = { ...explanation('lime', {}, null), words: [{ text: 'hi', start: 0, end: 1_000_000_000 }], scores: null };
    expect(explanationSchema.safeParse(huge).success).toBe(false);
    expect(explanationSchema.safeParse({ ...huge, words: [{ text: 'hi', start: 2 ** 31, end: 1 }] }).success).toBe(false);
  });

  it('refuses attention arrays that disagree with the words, the tokens or the model', () => {
    expect(problem(explanation('attention', { layers: 1, heads: 0, matrices: [[]], tokens: [], tokenWords: [] }, null))).toMatch(/extra\.heads is 0/);
    expect(problem(explanation('attention', { layers: 1, heads: 4, matrices: [[[[1]], [[1]], [[1]], [[1]]]], tokens: ['[CLS]', 'my'], tokenWords: [null, 0] }, null))).toMatch(/extra\.matrices\[0\]\[0\] has 1 entries, not 2/);
    expect(() => explanation('attention', { layers: 8, heads: 20000 }, null)).toThrow(/expected number to be <=64/);
    expect(problem(explanation('attention', { layers: 8, heads: 8 }, null))).toMatch(/extra\.heads is 8; the model has 4/);
    expect(problem(explanation('attention', { tokens: ['[CLS]', 'my'], tokenWords: [null, 99] }, null))).toMatch(/tokenWords\[1\] names word 99/);
    expect(problem(explanation('attention', { wordCls: [[[0.5], [0.5], [0.5], [0.5]]] }, null))).toMatch(/extra\.wordCls\[0\]\[0\] has 1 entries, not 8/);
    expect(problem(explanation('occlusion', { baseline: 0.9, without: [0.1] }, null))).toMatch(/extra\.without has 1 entries for 8 words/);
  });

  it('accepts only neighbours from the bot’s similar-questions index, with their label', () => {
    const [question, labels] = [...bot.similarQuestions!.entries()][0]!;
    const label = [...labels][0]!;
    expect(fitted(explanation('similar', { neighbours: [{ text: question, label, score: 0.8 }] }, null)).method).toBe('similar');
    expect(problem(explanation('similar', { neighbours: [{ text: `call me on ${CARD}`, label, score: 0.8 }] }, null))).toMatch(/similar-questions index/);
  });

  it('drops unknown keys of settings and extra, and refuses text where a method takes numbers', () => {
    const lime = explanation('lime', { intercept: 0.1, note: 'john@example.com' }, null, { settings: { samples: 500, comment: CARD } });
    expect(lime.extra).toEqual({ intercept: 0.1 });
    expect(lime.settings).toEqual({ samples: 500 });
    expect(explanationSchema.safeParse({ ...lime, settings: { samples: CARD } }).success).toBe(false);
    expect(explanationSchema.safeParse({ ...lime, method: 'attention', settings: { layer: CARD } }).success).toBe(false);
  });
});

describe('redacting turns and feedback', () => {
  it('masks personal data in every redacted field of a turn', () => {
    const turn = turnRecordSchema.parse(turnRecord());
    turn.user.text = `pay ${CARD}`;
    turn.reply.text = `Was it ${CARD}?`;
    turn.reply.parts.quickReplies = [{ text: `Card ${CARD}`, intent: 'card_arrival' }];
    turn.reply.parts.options = [{ intent: 'card_arrival', label: `Mail john.doe@example.com`, probability: 0.5 }];
    turn.prediction!.modelVersion = '4111111111111111';
    const redacted = JSON.stringify(redactTurn(turn));
    expect(redacted).not.toMatch(/4111 1111|4111111111111111|john\.doe/);
  });

  it('masks the feedback comment', () => {
    expect(redactFeedback({ id: crypto.randomUUID(), helpful: false, comment: `call me on +49 30 12345678 or ${CARD}` }).comment).not.toMatch(/12345678|4111 1111/);
  });
});

// ---------------------------------------------------------------------------------------------
// Every string field of the record schemas is accounted for.

type Kind = 'string' | 'uuid' | 'enum' | 'free-form';

/** Every leaf of a zod schema that can hold a string, by path (array elements as `[]`). */
function stringPaths(schema: z.ZodType, at = '', out = new Map<string, Kind>()): Map<string, Kind> {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const child = (key: string) => (at ? `${at}.${key}` : key);
  switch (def.type) {
    case 'object':
      for (const [key, value] of Object.entries(def.shape as Record<string, z.ZodType>)) stringPaths(value, child(key), out);
      break;
    case 'array':
      stringPaths(def.element as z.ZodType, `${at}[]`, out);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      stringPaths(def.innerType as z.ZodType, at, out);
      break;
    case 'union':
      for (const option of def.options as z.ZodType[]) stringPaths(option, at, out);
      break;
    case 'intersection':
      stringPaths(def.left as z.ZodType, at, out);
      stringPaths(def.right as z.ZodType, at, out);
      break;
    case 'pipe':
      stringPaths(def.in as z.ZodType, at, out);
      break;
    case 'string':
      out.set(at, def.format === 'uuid' ? 'uuid' : 'string');
      break;
    case 'enum':
      out.set(at, 'enum');
      break;
    case 'literal':
      if ((def.values as unknown[]).some((value) => typeof value === 'string')) out.set(at, 'enum');
      break;
    case 'number':
    case 'boolean':
      break;
    default:
      // A record, unknown or any could carry any text.
      out.set(at, 'free-form');
  }
  return out;
}

describe('every string field of the record schemas', () => {
  const schemas = { turn: turnRecordSchema, feedback: feedbackSchema, explanation: explanationSchema } as const;

  function expectClassified(name: string, schema: z.ZodType, listed: Readonly<Record<string, string>>) {
    const found = stringPaths(schema);
    for (const [path, kind] of found) {
      expect(kind, `${name} ${path} is free-form: give it a schema`).not.toBe('free-form');
      expect(listed[path], `${name} ${path} (${kind}) is not in RECORD_STRING_FIELDS: say how it is made safe to store`).toBeDefined();
      if (kind === 'uuid') expect(listed[path]).toBe('id');
      if (kind === 'enum') expect(listed[path]).toBe('enum');
      if (kind === 'string') expect(['redacted', 'derived', 'label', 'checked'], `${name} ${path}`).toContain(listed[path]);
    }
    expect(Object.keys(listed).filter((path) => !found.has(path)), 'listed but not in the schema').toEqual([]);
  }

  it.each(Object.keys(schemas) as (keyof typeof schemas)[])('of the %s record is redacted, derived, checked, a label, an id or an enum', (name) => {
    expectClassified(name, schemas[name], RECORD_STRING_FIELDS[name]);
  });

  it("of an explanation record with one more method, by that method's descriptor", () => {
    expectClassified('explanation', explanationSchemaFor(WITH_FIRST_WORD), explanationStringFieldsFor(WITH_FIRST_WORD));
    // A method whose descriptor leaves a string field out is caught.
    const forgetful = { ...firstWordExplainer, stringFields: {} };
    expect(() => expectClassified('explanation', explanationSchemaFor([...EXPLAINERS, forgetful]), explanationStringFieldsFor([...EXPLAINERS, forgetful]))).toThrow(/extra\.firstWord/);
  });

  it('an explanations post carries only explanation records', () => {
    expect([...stringPaths(explanationsRecordSchema).keys()].every((path) => path.startsWith('explanations[].'))).toBe(true);
  });
});
