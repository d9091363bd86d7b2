import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logQuerySchema } from '@/lib/admin/filters';
import { loadBotContent } from '@/lib/bot/answers';
import { decide } from '@/lib/bot/policy';
import { answerClassified, composeReply } from '@/lib/bot/reply';
import { unreadableReplyText } from '@/lib/bot/unreadable-reply';
import { handoffReasonOf } from '@/lib/handoff/rules';
import { MAX_PROFILE_CHARACTERS, ModelCardError, parseModelCard, scriptProfileOf } from '@/lib/model/card';
import { charactersOf, isUnreadable, normaliseForReading, trainingCharacters, vocabularyAlphabet } from '@/lib/model/readability';
import { predictionRecordSchema, replyPartsSchema } from '@/lib/records/turn';
import { compareWithReport } from '@/lib/verify/outcome';
import { classifierFacts, DEMO_BOT, probabilitiesFor } from '../support/turns';

/** The demo model's tokenizer vocabulary, as the server reads it from disk. */
const demoVocabulary = Object.keys(
  (JSON.parse(readFileSync(path.join(process.cwd(), 'public/models/banking77/tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab,
);

/** A card as the pipeline writes it, with or without a script profile. */
const card = (extra: Record<string, unknown> = {}) => ({ labels: ['a', 'b'], ...extra });

/** The characters of an English bot: the demo model's, through the rule's own fallback (its card predates the profile or holds one). */
const english = classifierFacts().characters;

/** A small Chinese bank-support training set with some Latin brand names, as a Chinese operator's data would have. */
const chineseTraining = ['我的卡被吞了怎么办', '我的银行卡丢了', '怎么挂失信用卡', 'ATM吞卡了', '转账没有到账', '我要开一张新卡', '密码忘了怎么办', '卡被冻结了'];
const chinese = charactersOf(chineseTraining);

describe('the readability rule', () => {
  it('normalises as the tokenizer does: lower case, accents off', () => {
    expect(normaliseForReading('Café ÉCLAIR Ångström')).toBe('cafe eclair angstrom');
  });

  it.each([
    ['Chinese', '我的卡丢了怎么办'],
    ['Japanese', 'カードをなくしました。どうすればいいですか'],
    ['Thai', 'บัตรของฉันหายไป ต้องทำอย่างไร'],
    ['Russian', 'Я потерял свою карту, что делать?'],
    ['Arabic', 'لقد فقدت بطاقتي'],
    ['mostly Chinese with one Latin word', '我的visa卡被吞了怎么办'],
  ])('an English bot cannot read %s', (_, text) => {
    expect(isUnreadable(text, english)).toBe(true);
  });

  it.each([
    ['English with accents', 'My café card was déclined at the naïve résumé shop'],
    ['digits only', '4000 1234 5678 9010'],
    ['emoji only', '👍🙏💳'],
    ['"ok"', 'ok'],
    ['a single foreign letter', '卡'],
    ['mostly English with a Chinese word', 'my card 卡 was swallowed by the ATM'],
    ['an empty message', ''],
    ['punctuation', '?!…'],
  ])('an English bot reads %s', (_, text) => {
    expect(isUnreadable(text, english)).toBe(false);
  });

  it('a Chinese bot reads mixed text ("我的visa卡被吞了") and Chinese, but not Russian', () => {
    expect(chinese).not.toMatch(/[vis]/);
    expect(isUnreadable('我的visa卡被吞了', chinese)).toBe(false);
    expect(isUnreadable('我的卡丢了怎么办', chinese)).toBe(false);
    expect(isUnreadable('Я потерял карту', chinese)).toBe(true);
  });

  it('counts exactly at the half: more than half unknown is unreadable, half is not', () => {
    expect(isUnreadable('abcд', 'abc')).toBe(false); // 1 of 4 unknown
    expect(isUnreadable('abдж', 'abc')).toBe(false); // 2 of 4: not more than half
    expect(isUnreadable('aдж', 'abc')).toBe(true); // 2 of 3
  });

  it('takes bounded time on hostile input (a long message of one unknown letter)', () => {
    const started = performance.now();
    expect(isUnreadable('ж'.repeat(200_000), english)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('the characters a model read in training', () => {
  it('without a script profile: the vocabulary’s single-character entries and their continuations', () => {
    expect(vocabularyAlphabet(['[CLS]', 'card', 'a', '##b', 'É', '##cd', '😀'])).toBe('abe😀');
    const fromVocabulary = vocabularyAlphabet(demoVocabulary);
    for (const letter of 'abcdefghijklmnopqrstuvwxyz0123456789') expect(fromVocabulary).toContain(letter);
    expect(fromVocabulary).not.toMatch(/[\p{Script=Han}\p{Script=Cyrillic}]/u);
  });

  it('with one: the card’s characters, and the vocabulary is not read', () => {
    const parsed = parseModelCard(card({ training: { script_profile: { scripts: { Han: 0.9, Latin: 0.1 }, characters: chinese } } }));
    expect(scriptProfileOf(parsed)).toEqual({ scripts: { Han: 0.9, Latin: 0.1 }, characters: chinese });
    expect(
      trainingCharacters(parsed, () => {
        throw new Error('the vocabulary is not needed');
      }),
    ).toBe(chinese);
    const older = parseModelCard(card());
    expect(scriptProfileOf(older)).toBeNull();
    expect(trainingCharacters(older, () => ['x', 'y'])).toBe('xy');
  });

  it('the profile’s characters are every distinct letter or digit after normalisation, by code point', () => {
    expect(charactersOf(['Bé 2 卡!', 'ab 😀'])).toBe('2abe卡');
  });

  it('a malformed or oversized profile is refused with the card', () => {
    expect(() => parseModelCard(card({ training: { script_profile: { scripts: { Han: 2 }, characters: '' } } }))).toThrow(ModelCardError);
    expect(() => parseModelCard(card({ training: { script_profile: { scripts: {}, characters: 42 } } }))).toThrow(/characters/);
    expect(() => parseModelCard(card({ training: { script_profile: 'Han' } }))).toThrow(ModelCardError);
    const many = Array.from({ length: MAX_PROFILE_CHARACTERS + 1 }, (_, i) => String.fromCodePoint(0x20000 + i)).join('');
    expect(() => parseModelCard(card({ training: { script_profile: { scripts: { Han: 1 }, characters: many } } }))).toThrow(/more than/);
  });
});

describe('the unreadable decision', () => {
  const content = loadBotContent(DEMO_BOT);
  const facts = classifierFacts();
  const run = { id: '0b7f5a52-7a43-4d5e-9f0e-4a4f8c1d2e3f', backend: 'wasm' as const, latencyMs: 4 };
  const confidentlyOutOfScope = probabilitiesFor(facts.labels, facts.outOfScopeLabel!, 0.98);

  it('comes before every other decision, and records the model’s top intent as it was', () => {
    const decision = decide({ labels: facts.labels, probabilities: confidentlyOutOfScope, thresholds: facts.thresholds, outOfScopeLabel: facts.outOfScopeLabel, unreadable: true });
    expect(decision).toEqual({ kind: 'unreadable', intent: facts.outOfScopeLabel, confidence: 0.98 });
  });

  it('the demo bot answers a Chinese message honestly in English and offers a person, not "outside what I can help with"', () => {
    const { decision, reply, prediction } = answerClassified(content, facts, { text: '我的卡丢了怎么办', probabilities: confidentlyOutOfScope }, run);
    expect(decision.kind).toBe('unreadable');
    expect(reply.text).toBe('I can only read English for now — shall I pass you to a person?');
    expect(reply.text).not.toBe(content.handoff.outOfScope);
    expect(reply.parts).toEqual({ kind: 'handoff', intent: facts.outOfScopeLabel, handoffReason: 'unreadable' });
    expect(replyPartsSchema.parse(reply.parts)).toEqual(reply.parts);
    expect(prediction).toMatchObject({ decision: 'unreadable', intent: facts.outOfScopeLabel, confidence: 0.98 });
    expect(predictionRecordSchema.parse(prediction)).toEqual(prediction);
    // The same probabilities on an English message are the out-of-scope hand-off they always were.
    expect(answerClassified(content, facts, { text: 'what is the weather on mars', probabilities: confidentlyOutOfScope }, run).reply.text).toBe(content.handoff.outOfScope);
  });

  it('is said in the bot’s language: a template where there is one, the language’s name in English otherwise', () => {
    expect(unreadableReplyText('en')).toBe('I can only read English for now — shall I pass you to a person?');
    expect(unreadableReplyText('zh')).toBe('我目前只能读懂中文。要我帮您转接人工客服吗？');
    expect(unreadableReplyText('zh-Hans-CN')).toMatch(/^我目前只能读懂.*中文/);
    expect(unreadableReplyText('fr')).toBe('I can only read French for now — shall I pass you to a person?');
    const zhBot = answerClassified(content, { ...facts, language: 'zh', characters: chinese }, { text: 'Я потерял карту', probabilities: confidentlyOutOfScope }, run);
    expect(zhBot.reply.text).toBe('我目前只能读懂中文。要我帮您转接人工客服吗？');
    expect(composeReply(content, { kind: 'unreadable', intent: 'card_arrival', confidence: 0.4 }).text).toBe(unreadableReplyText('en'));
  });

  it('opens a hand-off with reason unreadable, which the customer’s acceptance keeps', () => {
    expect(handoffReasonOf({ kind: 'handoff', handoffReason: 'unreadable' })).toBe('unreadable');
    expect(handoffReasonOf({ kind: 'handoff-requested', handoffReason: 'requested' }, { decision: 'unreadable' })).toBe('unreadable');
    expect(handoffReasonOf({ kind: 'handoff-requested', handoffReason: 'requested' }, { decision: 'handoff' })).toBe('requested');
    expect(handoffReasonOf({ kind: 'handoff-requested', handoffReason: 'requested' }, null)).toBe('requested');
  });

  it('is derived again by the server: only a message the rule cannot read verifies as unreadable', () => {
    const policy = { thresholds: facts.thresholds, outOfScopeLabel: facts.outOfScopeLabel, characters: english };
    const reported = (decision: 'unreadable' | 'handoff') => ({
      intent: facts.outOfScopeLabel!,
      confidence: 0.98,
      topK: [{ intent: facts.outOfScopeLabel!, probability: 0.98 }],
      decision,
    });
    const check = (text: string, decision: 'unreadable' | 'handoff') => compareWithReport('p', reported(decision), facts.labels, confidentlyOutOfScope, policy, text).verification;
    expect(check('我的卡丢了怎么办', 'unreadable')).toBe('verified');
    expect(check('我的卡丢了怎么办', 'handoff')).toBe('mismatch');
    expect(check('what is the weather on mars', 'unreadable')).toBe('mismatch');
    expect(check('what is the weather on mars', 'handoff')).toBe('verified');
  });

  it('is a decision the admin log filters on', () => {
    expect(logQuerySchema.parse({ decision: 'unreadable' }).decision).toBe('unreadable');
    expect(logQuerySchema.safeParse({ decision: 'unknown' }).success).toBe(false);
  });
});
