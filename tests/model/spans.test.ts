import { describe, expect, it } from 'vitest';

import { alignTokens, preTokenSpans, wordSpans } from '../../lib/model/spans';

const slice = (t: string, s: { start: number; end: number }) => t.slice(s.start, s.end);

describe('word and pre-token spans', () => {
  it('splits punctuation off words and keeps offsets into the original text', () => {
    const text = "  I can't find my CARD!!";
    expect(preTokenSpans(text).map((s) => slice(text, s))).toEqual(['I', 'can', "'", 't', 'find', 'my', 'CARD', '!', '!']);
    expect(wordSpans(text).map((w) => w.text)).toEqual(['I', "can't", 'find', 'my', 'CARD!!']);
    expect(wordSpans(text)[0]).toEqual({ text: 'I', start: 2, end: 3 });
  });

  it('handles accents, combining marks, emoji and control characters', () => {
    const text = 'Cafe\u0301 \u{1F600}x\u0007y résumé';
    expect(preTokenSpans(text).map((s) => slice(text, s))).toEqual(['Cafe\u0301', '\u{1F600}x\u0007y', 'résumé']);
  });

  it('treats special-token literals as their own pre-token', () => {
    const text = 'a[SEP]b';
    expect(preTokenSpans(text).map((s) => slice(text, s))).toEqual(['a', '[SEP]', 'b']);
  });

  it('maps word pieces to the word the user typed', () => {
    const text = 'Cards arrived?';
    const tokens = ['[CLS]', 'card', '##s', 'arrived', '?', '[SEP]'];
    const { tokens: info } = alignTokens(text, [2, 10, 11, 12, 13, 3], tokens, false);
    expect(info.map((t) => t.word)).toEqual([null, 0, 0, 1, 1, null]);
    expect(info.map((t) => (t.span ? slice(text, t.span) : null))).toEqual([null, 'Cards', 'Cards', 'arrived', '?', null]);
    expect(info[0].special && info[5].special).toBe(true);
  });

  it('does not treat the last token as [SEP] when the input was truncated', () => {
    const { tokens } = alignTokens('a b c', [2, 10, 11], ['[CLS]', 'a', 'b'], true);
    expect(tokens.map((t) => t.word)).toEqual([null, 0, 1]);
  });
});
