// The panel draws the message from its word units: unspaced text as contiguous units with its
// own punctuation between them, and stored explanations made before word units (words split on
// whitespace, punctuation attached) still drawn from their own words and offsets.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { maskedWordSpans, wordSpans } from '@/lib/model/spans';
import type { WordSpan } from '@/lib/model/types';
import { messageRuns, wordsFitText } from '@/lib/ui/explain/format';
import { readExplanation } from '@/lib/ui/explain/parse';
import { WhyPanel, type WhyPanelProps } from '@/lib/ui/explain/why-panel';
import fixture from '@/tests/fixtures/explanations.json';

const CHINESE = '我的卡丢了，怎么办？';

/** What a run list draws, units in [brackets]. */
const drawn = (words: readonly WordSpan[], text?: string) =>
  messageRuns(words, text)
    .map((run) => ('word' in run ? `[${words[run.word]!.text}]` : run.gap))
    .join('');

const lime = (words: readonly WordSpan[], scores: number[]) => ({
  method: 'lime',
  version: 1,
  target: { index: 12, label: 'card_arrival', probability: 0.8 },
  settings: { samples: 400, seed: 1 },
  words,
  scores,
  extra: { intercept: 0.1, r2: 0.9, samples: 400 },
  timing: { ms: 40, forwardPasses: 7 },
});

/** The text content of each `why-highlighted-text` paragraph, tags removed, entities decoded. */
function highlighted(html: string): string[] {
  return [...html.matchAll(/data-testid="why-highlighted-text"[^>]*>(.*?)<\/p>/g)].map((m) =>
    m[1]!
      .replace(/<[^>]+>/g, '')
      .replace(/&#x27;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
}

const render = (props: Partial<WhyPanelProps> & Pick<WhyPanelProps, 'explanations'>) =>
  renderToStaticMarkup(createElement(WhyPanel, { prediction: fixture.prediction, labelOf: (intent: string) => intent, status: 'ready', ...props }));

describe('the message as word units and what lies between them', () => {
  it('draws unspaced text as contiguous units with its own punctuation', () => {
    const words = wordSpans(CHINESE, 'zh');
    expect(drawn(words, CHINESE)).toBe('[我的][卡][丢][了]，[怎么][办]？');
    // Without the message: units side by side where they touch, a space where something lay between.
    expect(drawn(words)).toBe('[我的][卡][丢][了] [怎么][办]');
  });

  it('keeps the spaces and punctuation of spaced text, before the first unit too', () => {
    const text = '¿Dónde está mi tarjeta? 😡';
    const words = wordSpans(text, 'es');
    expect(drawn(words, text)).toBe('¿[Dónde] [está] [mi] [tarjeta]? [😡]');
  });

  it('draws the units alone when they are not units of the text, and not the rest of a message cut for length', () => {
    const words = wordSpans('card lost', 'en');
    expect(wordsFitText(words, 'card lost')).toBe(true);
    expect(wordsFitText(words, 'cart lost')).toBe(false);
    expect(drawn(words, 'cart lost')).toBe('[card] [lost]');
    const long = 'one two three four';
    expect(drawn(wordSpans(long, 'en').slice(0, 2), long)).toBe('[one] [two]');
    expect(drawn([{ text: 'b', start: 2, end: 3 }, { text: 'a', start: 0, end: 1 }], 'a b')).toBe('[b] [a]');
  });
});

describe('the panel on unspaced text', () => {
  const words = wordSpans(CHINESE, 'zh');
  const scores = [0.02, 0.5, 0.3, 0.001, 0.05, 0.001];

  it('shows the customer the message as typed, the units that led highlighted, and names them once after it', () => {
    const html = render({ explanations: [lime(words, scores)], text: CHINESE });
    expect(highlighted(html)).toEqual([CHINESE]);
    const led = [...html.matchAll(/data-evidence="led"[^>]*>.*?<bdi[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(led).toEqual(['卡', '丢']);
    // Contiguous units are drawn tight, not as spaced chips.
    expect(html).toMatch(/class="rounded-md py-1 px-0.5"[^>]*data-evidence="led"/);
    expect(html).toContain('Words that led to this answer: \u201c卡\u201d and \u201c丢\u201d.');
    expect(html).toContain('The words that mattered most:');
  });

  it('shows the operator the scored units in the same text', () => {
    const html = render({ explanations: [lime(words, scores)], text: CHINESE, reader: 'operator' });
    expect(highlighted(html)).toEqual([CHINESE, CHINESE]);
  });

  it('draws mixed text and text with a masked span as stored', () => {
    const stored = '我的卡•••• •••• •••• 1111被吞了';
    const units = maskedWordSpans(stored, 'zh', '•');
    expect(units.map((w) => w.text)).toEqual(['我的', '卡', '••••', '••••', '••••', '1111', '被', '吞了']);
    const html = render({ explanations: [lime(units, units.map(() => 0.1))], text: stored });
    expect(highlighted(html)).toEqual([stored]);
  });
});

describe('explanations stored before word units', () => {
  // The fixture is such a record: "yet?" is one word, its punctuation attached.
  const old = fixture.explanations as unknown[];

  it('still read and render from their own words and offsets, aligned with the message', () => {
    const read = readExplanation(old.find((e) => (e as { method: string }).method === 'lime'));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.explanation.words.map((w) => w.text)).toContain('yet?');
    expect(wordsFitText(read.value.explanation.words, fixture.text)).toBe(true);
    const html = render({ explanations: old, text: fixture.text, reader: 'operator' });
    expect(highlighted(html)).toEqual([fixture.text, fixture.text]);
    // The old unit is one unit: its punctuation is not drawn a second time.
    expect(html).toMatch(/<bdi[^>]*>yet\?<\/bdi>/);
  });

  it('render from their words alone when given no message, or one they do not fit', () => {
    for (const text of [undefined, 'something else entirely']) {
      const html = render({ explanations: old, text });
      expect(highlighted(html)).toEqual(["Why hasn't my new card arrived yet?"]);
    }
  });
});
