// Which stored messages the replay counts as one question: the same words once case,
// punctuation, whitespace and masked personal data are set aside.
import { describe, expect, it } from 'vitest';
import { redact } from '@/lib/bot/redact';
import { normalizeForGrouping } from '@/lib/replay/grouping';

const stored = (text: string) => redact(text).text;

describe('normalizeForGrouping', () => {
  it('sets case, punctuation and whitespace aside', () => {
    expect(normalizeForGrouping('Where is my card?')).toBe('where is my card');
    expect(normalizeForGrouping('  where   is my card!!!  ')).toBe('where is my card');
    expect(normalizeForGrouping('WHERE, is — my card…')).toBe('where is my card');
    expect(normalizeForGrouping("can't top up")).toBe('can t top up');
    // Full-width forms read as their ASCII letters.
    expect(normalizeForGrouping('ＷＨＥＲＥ is my card')).toBe('where is my card');
  });

  it('keeps the words that differ', () => {
    expect(normalizeForGrouping('where is my card')).not.toBe(normalizeForGrouping('where is my cards'));
    expect(normalizeForGrouping('transfer 20 euros')).not.toBe(normalizeForGrouping('transfer 200 euros'));
  });

  it('sets masked personal data aside, whatever it was', () => {
    const one = stored('mail me at jo.smith@bank.example or call +44 20 7946 0958');
    const other = stored('Mail me at ann@x.org or call +33 1 23 45 67 89!');
    expect(one).not.toBe(other);
    expect(normalizeForGrouping(one)).toBe(normalizeForGrouping(other));
    expect(normalizeForGrouping(one)).toBe('mail me at \uE000 or call \uE000');
    // A card number keeps its last digits when masked; they are set aside with it.
    expect(normalizeForGrouping(stored('my card 4111 1111 1111 1111 was charged twice'))).toBe(normalizeForGrouping(stored('My card 5500-0000-0000-0004 was charged twice.')));
    expect(normalizeForGrouping(stored('my card 4111 1111 1111 1111 was charged twice'))).toBe('my card \uE000 was charged twice');
    // A number that is no personal data stays a word.
    expect(normalizeForGrouping(stored('I paid 25 twice'))).toBe('i paid 25 twice');
  });

  it('reads unspaced scripts without inventing spaces', () => {
    expect(normalizeForGrouping('我的卡丢了，怎么办？')).toBe('我的卡丢了 怎么办');
    expect(normalizeForGrouping('我的卡丢了怎么办')).not.toBe(normalizeForGrouping('我的卡丢了 怎么办'));
  });

  it('takes linear time on hostile input', () => {
    const hostile = ['a'.repeat(200_000) + '•', '•'.repeat(200_000), `•${' 1'.repeat(100_000)}`, `${'x.'.repeat(100_000)}•`, 'word '.repeat(100_000)];
    for (const text of hostile) {
      const started = performance.now();
      const key = normalizeForGrouping(text);
      expect(performance.now() - started, text.slice(0, 20)).toBeLessThan(200);
      expect(key.length).toBeLessThanOrEqual(2000);
    }
  });
});
