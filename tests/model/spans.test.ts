import { describe, expect, it } from 'vitest';

import { redact } from '@/lib/bot/redact';
import { alignTokens, maskedWordSpans, preTokenSpans, wordSpans } from '../../lib/model/spans';

const slice = (t: string, s: { start: number; end: number }) => t.slice(s.start, s.end);

/** The units' texts, after checking that every unit's offsets cut its text out of `text`, in order. */
function units(text: string, locale: string): string[] {
  const words = wordSpans(text, locale);
  let end = 0;
  for (const word of words) {
    expect(word.start).toBeGreaterThanOrEqual(end);
    expect(word.end).toBeGreaterThan(word.start);
    expect(slice(text, word)).toBe(word.text);
    end = word.end;
  }
  return words.map((word) => word.text);
}

describe('word units (Intl.Segmenter in the bot language)', () => {
  it('cuts unspaced Chinese into dictionary words', () => {
    expect(units('我的卡丢了怎么办', 'zh')).toEqual(['我的', '卡', '丢', '了', '怎么', '办']);
    // Punctuation is not a word; the units keep their offsets into the original text.
    expect(wordSpans('我的卡丢了，怎么办？', 'zh').map((w) => [w.text, w.start, w.end])).toEqual([
      ['我的', 0, 2],
      ['卡', 2, 3],
      ['丢', 3, 4],
      ['了', 4, 5],
      ['怎么', 6, 8],
      ['办', 8, 9],
    ]);
  });

  it('cuts Japanese and Thai with their dictionaries', () => {
    expect(units('カードをなくしました', 'ja')).toEqual(['カード', 'を', 'なく', 'しま', 'した']);
    expect(units('บัตรของฉันหาย', 'th')).toEqual(['บัตร', 'ของ', 'ฉัน', 'หาย']);
  });

  it('separates scripts in mixed text', () => {
    expect(units('我的visa卡被吞了', 'zh')).toEqual(['我的', 'visa', '卡', '被', '吞了']);
    // The dictionary does not depend on the locale: an English bot still sees the Chinese units.
    expect(units('我的卡丢了怎么办', 'en')).toEqual(['我的', '卡', '丢', '了', '怎么', '办']);
  });

  it('ends a unit at a colon, which ICU builds treat differently (Node keeps "javascript:window" whole, Chromium does not)', () => {
    expect(wordSpans('<a href="javascript:window.x=3">', 'en').map((word) => word.text)).toEqual(['a', 'href', 'javascript', 'window.x', '3']);
    expect(wordSpans('a:b', 'en')).toEqual([
      { text: 'a', start: 0, end: 1 },
      { text: 'b', start: 2, end: 3 },
    ]);
  });

  it('keeps punctuation out of English words and contractions in', () => {
    expect(units('card, lost?!', 'en')).toEqual(['card', 'lost']);
    expect(wordSpans("  I can't find my CARD!!", 'en')).toEqual([
      { text: 'I', start: 2, end: 3 },
      { text: "can't", start: 4, end: 9 },
      { text: 'find', start: 10, end: 14 },
      { text: 'my', start: 15, end: 17 },
      { text: 'CARD', start: 18, end: 22 },
    ]);
  });

  it('keeps accents, combining marks and emoji in their units; symbols alone are not words', () => {
    expect(units('Cafe\u0301 résumé 😡 👍🏽 🇬🇧 €50 #1 — ok', 'en')).toEqual(['Cafe\u0301', 'résumé', '😡', '👍🏽', '🇬🇧', '50', '1', 'ok']);
    expect(units('', 'en')).toEqual([]);
    expect(units(' ,.?! ', 'en')).toEqual([]);
  });

  it('falls back to the root rules for a tag that is not a locale', () => {
    expect(units('card lost', 'not a locale')).toEqual(['card', 'lost']);
  });

  it('stays fast on the worst a message can hold (2,000 characters)', () => {
    const worst = {
      han: ['的'.repeat(2000), 'zh'],
      chinese: ['我的卡丢了怎么办'.repeat(250), 'zh'],
      thai: ['บัตรของฉันหาย'.repeat(154), 'th'],
      marks: ['a' + '\u0301'.repeat(1999), 'en'],
      thaiMarks: ['ก' + '\u0e31'.repeat(1999), 'th'],
      emoji: ['👩\u200d'.repeat(666), 'en'],
      mixed: ['我的visa卡'.repeat(285), 'zh'],
    } as const;
    for (const [name, [text, locale]] of Object.entries(worst)) {
      const t0 = performance.now();
      const words = wordSpans(text, locale);
      const ms = performance.now() - t0;
      expect(words.length, name).toBeGreaterThan(0);
      expect(ms, `${name}: ${ms.toFixed(1)} ms`).toBeLessThan(250);
    }
    expect(wordSpans('a' + '\u0301'.repeat(1999), 'en')).toEqual([{ text: 'a' + '\u0301'.repeat(1999), start: 0, end: 2000 }]);
  });
});

describe('word units of a masked text', () => {
  it.each([
    ['my card 5500 0000 0000 0004 was eaten', 'en'],
    ['card5500000000000004', 'en'],
    ['IBAN DE89 3704 0044 0532 0130 00, thanks', 'en'],
    ['write to john.doe@example.com or call +49 30 12345678', 'en'],
    ['我的卡4111 1111 1111 1111被吞了', 'zh'],
    ['邮箱 wang.wei@example.cn 谢谢', 'zh'],
  ])('%j: the units of the text before it was masked, with the masked text', (text, locale) => {
    const masked = redact(text).text;
    expect(masked).toContain('•');
    const units = maskedWordSpans(masked, locale, '•');
    expect(units.map(({ start, end }) => [start, end])).toEqual(wordSpans(text, locale).map(({ start, end }) => [start, end]));
    for (const unit of units) expect(unit.text).toBe(masked.slice(unit.start, unit.end));
  });

  it('is the plain units for a text with nothing masked', () => {
    expect(maskedWordSpans('我的卡丢了', 'zh', '•')).toEqual(wordSpans('我的卡丢了', 'zh'));
  });
});

describe('pre-token spans', () => {
  it('splits punctuation off words and keeps offsets into the original text', () => {
    const text = "  I can't find my CARD!!";
    expect(preTokenSpans(text).map((s) => slice(text, s))).toEqual(['I', 'can', "'", 't', 'find', 'my', 'CARD', '!', '!']);
  });

  it('handles accents, combining marks, emoji and control characters', () => {
    const text = 'Cafe\u0301 \u{1F600}x\u0007y résumé';
    expect(preTokenSpans(text).map((s) => slice(text, s))).toEqual(['Cafe\u0301', '\u{1F600}x\u0007y', 'résumé']);
  });

  it('treats special-token literals as their own pre-token, and each Han character as one', () => {
    expect(preTokenSpans('a[SEP]b').map((s) => slice('a[SEP]b', s))).toEqual(['a', '[SEP]', 'b']);
    expect(preTokenSpans('我的visa卡').map((s) => slice('我的visa卡', s))).toEqual(['我', '的', 'visa', '卡']);
  });
});

describe('token alignment by character overlap', () => {
  it('gives each word piece its own characters and the word it lies in; punctuation belongs to no word', () => {
    const text = 'Cards arrived?';
    const tokens = ['[CLS]', 'card', '##s', 'arrived', '?', '[SEP]'];
    const { tokens: info, words } = alignTokens(text, [2, 10, 11, 12, 13, 3], tokens, false, 'en');
    expect(words.map((w) => w.text)).toEqual(['Cards', 'arrived']);
    expect(info.map((t) => t.word)).toEqual([null, 0, 0, 1, null, null]);
    expect(info.map((t) => (t.span ? slice(text, t.span) : null))).toEqual([null, 'Card', 's', 'arrived', '?', null]);
    expect(info[4].wordShares).toEqual([]);
    expect(info[0].special && info[5].special).toBe(true);
  });

  it('maps the pieces of one Thai pre-token onto the several words they overlap', () => {
    const text = 'บัตรของฉันหาย';
    // WordPiece sees the run as one pre-token, normalised without its marks: "บตรของฉนหาย".
    const tokens = ['[CLS]', 'บตร', '##ของฉ', '##นหาย', '[SEP]'];
    const { tokens: info, words } = alignTokens(text, [2, 10, 11, 12, 3], tokens, false, 'th');
    expect(words.map((w) => w.text)).toEqual(['บัตร', 'ของ', 'ฉัน', 'หาย']);
    // A vowel mark vanishes in normalisation and stays with the piece before it.
    expect(info.map((t) => (t.span ? slice(text, t.span) : null))).toEqual([null, 'บัตร', 'ของฉั', 'นหาย', null]);
    expect(info[1].wordShares).toEqual([{ word: 0, share: 1 }]);
    expect(info[2].wordShares).toEqual([
      { word: 1, share: 0.6 },
      { word: 2, share: 0.4 },
    ]);
    expect(info[3].wordShares).toEqual([
      { word: 2, share: 0.25 },
      { word: 3, share: 0.75 },
    ]);
    expect(info.map((t) => t.word)).toEqual([null, 0, 1, 3, null]);
  });

  it('splits an [UNK] for a whole run among its words by characters', () => {
    const text = 'カードをなくしました';
    const { tokens: info } = alignTokens(text, [2, 1, 3], ['[CLS]', '[UNK]', '[SEP]'], false, 'ja');
    expect(info[1].span).toEqual({ start: 0, end: text.length });
    expect(info[1].wordShares.map((s) => s.word)).toEqual([0, 1, 2, 3, 4]);
    expect(info[1].wordShares.map((s) => s.share * text.length)).toEqual([3, 1, 2, 2, 2].map((n) => expect.closeTo(n, 9)));
    expect(info[1].word).toBe(0);
  });

  it('keeps Han characters, Latin pieces and mixed text apart', () => {
    const text = '我的visa卡';
    const tokens = ['[CLS]', '[UNK]', '[UNK]', 'vi', '##sa', '[UNK]', '[SEP]'];
    const { tokens: info, words } = alignTokens(text, [2, 1, 1, 10, 11, 1, 3], tokens, false, 'zh');
    expect(words.map((w) => w.text)).toEqual(['我的', 'visa', '卡']);
    expect(info.map((t) => (t.span ? slice(text, t.span) : null))).toEqual([null, '我', '的', 'vi', 'sa', '卡', null]);
    expect(info.map((t) => t.word)).toEqual([null, 0, 0, 1, 1, 2, null]);
  });

  it('gives every piece the whole pre-token when the pieces do not spell it', () => {
    const text = 'ΟΔΟΣ card';
    // Lower-casing the whole word gives a final sigma ("οδος" with ς) where this replay, character by character, gives σ.
    const { tokens: info } = alignTokens(text, [2, 10, 11, 12, 3], ['[CLS]', 'οδο', '##ς', 'card', '[SEP]'], false, 'en');
    expect(info.map((t) => (t.span ? slice(text, t.span) : null))).toEqual([null, 'ΟΔΟΣ', 'ΟΔΟΣ', 'card', null]);
    expect(info.map((t) => t.word)).toEqual([null, 0, 0, 1, null]);
  });

  it('does not treat the last token as [SEP] when the input was truncated', () => {
    const { tokens } = alignTokens('a b c', [2, 10, 11], ['[CLS]', 'a', 'b'], true, 'en');
    expect(tokens.map((t) => t.word)).toEqual([null, 0, 1]);
  });
});
