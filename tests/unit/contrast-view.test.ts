// "Why this, and not that?" in the panel: "Why not?" beside the other answers, the contrast shown
// in a polite live region with the words for each side in colour and in words, the smallest change
// in a plain sentence, and what the reader functions accept of a stored contrast.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ContrastStates } from '@/lib/chat/contrast';
import { wordSpans } from '@/lib/model/spans';
import { contrast as contrastRatio, contrastColor, contrastStrength, luminance } from '@/lib/ui/explain/format';
import { isContrast, readContrast, readExplanation, readExplanations, RENDER_LIMITS } from '@/lib/ui/explain/parse';
import { WhyPanel, type WhyPanelProps } from '@/lib/ui/explain/why-panel';
import fixture from '@/tests/fixtures/explanations.json';

const TEXT = 'Why hasn’t my new card arrived yet?';
const WORDS = wordSpans(TEXT, 'en');
const names: Record<string, string> = {
  card_arrival: 'My card hasn’t arrived',
  card_delivery_estimate: 'When will my card arrive',
  lost_or_stolen_card: 'Lost or stolen card',
  order_physical_card: 'Order a physical card',
  activate_my_card: 'Activate my card',
};
const labelOf = (intent: string) => names[intent] ?? intent;

/** A contrast of the answer (card_arrival) with `versus`, of the shape the contrast explainer gives. */
function contrast(versus: string, values: number[], change: number[] | null) {
  return {
    method: 'contrast',
    version: 1,
    target: { index: 11, label: 'card_arrival', probability: 0.87 },
    settings: {},
    words: WORDS,
    scores: values,
    extra: { versus, versusIndex: 13, margin: 0.815, change: change ? { removedWords: change, marginAfter: -0.04, newTop: versus, newTopProbability: 0.48 } : null, smallest: true, exhaustiveUpTo: 2, tried: 9, exact: true },
    timing: { ms: 120, forwardPasses: 17 },
  };
}

// Why(0) hasn(1) t(2)? The words as the browser cuts them; the values follow them.
const values = WORDS.map((word) => (word.text === 'arrived' ? 0.5 : word.text === 'yet' ? -0.2 : word.text === 'card' ? 0.15 : 0.004));
const arrived = WORDS.findIndex((word) => word.text === 'arrived');

const render = (props: Partial<WhyPanelProps> & Pick<WhyPanelProps, 'explanations'>) =>
  renderToStaticMarkup(createElement(WhyPanel, { prediction: fixture.prediction, labelOf, status: 'ready', text: TEXT, ...props }));

/** The markup of the contrast's live region. */
function region(html: string): string {
  const start = html.indexOf('data-testid="why-contrast-result"');
  expect(start, 'the contrast region is drawn').toBeGreaterThan(0);
  const from = html.lastIndexOf('<div', start);
  return html.slice(from, html.indexOf('data-testid="why-counterfactual"', from));
}
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\u2068|\u2069/g, '');

describe('the contrast in the panel', () => {
  it('shows a stored contrast in a polite live region: the words for each side, in colour and in words, and the smallest change', () => {
    const html = render({ explanations: [...fixture.explanations, contrast('card_delivery_estimate', values, [arrived])] });
    const shown = region(html);
    expect(shown).toContain('aria-live="polite"');
    expect(shown).toContain('data-versus="card_delivery_estimate"');
    expect(shown).toMatch(/<mark[^>]*data-favours="answer"[^>]*>.*?arrived/);
    expect(shown).toMatch(/<mark[^>]*data-favours="other"[^>]*>.*?yet/);
    expect(shown).toMatch(/data-favours="neither"[^>]*>.*?my/);
    const said = text(shown);
    expect(said).toContain('Why I answered My card hasn’t arrived and not When will my card arrive');
    expect(said).toContain('Favours My card hasn’t arrived');
    expect(said).toContain('Favours When will my card arrive');
    expect(said).toContain('For My card hasn’t arrived: “arrived” and “card”.');
    expect(said).toContain('For When will my card arrive: “yet”.');
    expect(said).toContain('Without the word “arrived”, I would have answered When will my card arrive.');
    // Stored, with no way to ask: "Why not?" only beside the intent it is about.
    expect([...html.matchAll(/data-testid="why-not"[^>]*data-intent="([^"]+)"/g)].map((m) => m[1])).toEqual(['card_delivery_estimate']);
    expect(html).toContain('aria-label="Why not When will my card arrive?"');
    // The contrast is not one of the answer's explanations: nothing is said to be unreadable, and the word view does not offer it.
    expect(html).not.toContain('why-unreadable');
    expect(html).not.toContain('why-method-contrast');
  });

  it('says so plainly when no small change was found, and gives an operator the figures', () => {
    const html = render({ explanations: [contrast('lost_or_stolen_card', values, null)], reader: 'operator' });
    const said = text(region(html));
    expect(said).toContain('No small change found: removing a few words would not make me answer Lost or stolen card.');
    expect(said).toContain('Margin p(answer) − p(other) 0.81');
    expect(said).toContain('exact Shapley values · 9 changed texts tried · every set of up to 2 words tried · 120');
    expect(said).toContain('Stored with the prediction.');
  });

  it('offers "Why not?" beside every other answer with a control, and shows what the asked contrast is doing', () => {
    const ask = (states: ContrastStates) =>
      render({ explanations: fixture.explanations, contrast: { states, request: () => {} } });
    const idle = ask({});
    expect([...idle.matchAll(/data-testid="why-not"[^>]*data-intent="([^"]+)"/g)].map((m) => m[1])).toEqual(['card_delivery_estimate', 'lost_or_stolen_card', 'order_physical_card', 'activate_my_card']);
    expect(idle).toMatch(/<button[^>]*type="button"[^>]*aria-label="Why not Lost or stolen card\?"/);
    expect(text(region(idle))).toContain('Choose “Why not?” beside another answer');

    const computing = region(ask({ lost_or_stolen_card: { status: 'computing' } }));
    expect(computing).toContain('data-status="computing"');
    expect(text(computing)).toContain('Working out why I did not answer Lost or stolen card…');

    const failed = text(region(ask({ lost_or_stolen_card: { status: 'failed', error: 'The inference worker was stopped.' } })));
    expect(failed).toContain('This could not be worked out: The inference worker was stopped.');
    expect(failed).toContain('Try again');

    const ready = region(ask({ order_physical_card: { status: 'ready', explanation: contrast('order_physical_card', values, [arrived]) } }));
    expect(ready).toContain('data-versus="order_physical_card"');
    expect(text(ready)).toContain('I would have answered Order a physical card.');
  });

  it('lets an operator compare with any intent of the model but the answer', () => {
    const html = render({ explanations: fixture.explanations, reader: 'operator', contrast: { states: {}, request: () => {}, choices: ['card_arrival', 'lost_or_stolen_card', 'activate_my_card', 'pin_blocked'] } });
    const select = html.slice(html.indexOf('data-testid="why-contrast-intent"'), html.indexOf('</select>', html.indexOf('data-testid="why-contrast-intent"')));
    const options = [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(options).toEqual(['activate_my_card', 'lost_or_stolen_card', 'pin_blocked']);
    expect(html).toContain('Compare with any intent');
  });
});

describe('reading a stored contrast', () => {
  it('reads the contrast’s words, values, margin and change', () => {
    const read = readExplanation(contrast('card_delivery_estimate', values, [arrived]));
    expect(read.ok).toBe(true);
    const view = readContrast(read.ok ? read.value.explanation : undefined)!;
    expect(view).toMatchObject({ answer: 'card_arrival', versus: 'card_delivery_estimate', margin: 0.815, tried: 9, exact: true, smallest: true, exhaustiveUpTo: 2 });
    expect(view.change).toEqual({ removed: [arrived], removedWords: ['arrived'], marginAfter: -0.04, newTop: 'card_delivery_estimate' });
    expect(view.scores).toEqual(values);
  });

  it('draws no change that names a word the message does not have, nor values that are not one per word', () => {
    const read = (value: unknown) => {
      const result = readExplanation(value);
      return result.ok ? readContrast(result.value.explanation) : null;
    };
    expect(read(contrast('card_delivery_estimate', values, [WORDS.length]))).toBeNull();
    expect(readContrast({ ...contrast('card_delivery_estimate', values, null), scores: [0.1] } as never)).toBeNull();
    expect(readContrast(fixture.explanations[0] as never)).toBeNull();
  });

  it('says when the model already gives the other intent on the message as it is (an operator’s run on a stored message)', () => {
    const html = render({ explanations: [contrast('card_delivery_estimate', values, [])], reader: 'operator' });
    expect(text(region(html))).toContain('On this message as it is, I would already answer When will my card arrive.');
  });

  it('keeps one contrast per other intent, at most RENDER_LIMITS.contrasts, and never at the cost of the answer’s explanations', () => {
    const many = Array.from({ length: RENDER_LIMITS.contrasts + 5 }, (_, i) => contrast(`intent_${i}`, values, null));
    const { read, unreadable } = readExplanations([contrast('card_delivery_estimate', values, null), ...many, contrast('card_delivery_estimate', values, [arrived]), ...fixture.explanations]);
    const contrasts = read.filter((entry) => isContrast(entry.explanation));
    expect(contrasts).toHaveLength(RENDER_LIMITS.contrasts);
    // The last one stored with an other intent wins, even past the limit.
    expect(readContrast(contrasts.find((entry) => readContrast(entry.explanation)?.versus === 'card_delivery_estimate')!.explanation)?.change?.removed).toEqual([arrived]);
    expect(read.filter((entry) => !isContrast(entry.explanation)).map((entry) => entry.explanation.method).sort()).toEqual(['attention', 'counterfactual', 'lime', 'occlusion', 'rollout', 'similar']);
    expect(unreadable).toEqual([{ method: 'unknown', reason: '6 more explanations were left out' }]);
  });
});

describe('the contrast’s colours', () => {
  it('mutes words of negligible weight either way and keeps the sign of the others', () => {
    expect(contrastStrength(0.004, 0.5)).toBeNull();
    expect(contrastStrength(-0.05, 0.5)).toBeNull();
    expect(contrastStrength(-0.2, 0.5)).toBeCloseTo(-0.4);
    expect(contrastStrength(0.5, 0.5)).toBe(1);
    expect(contrastStrength(Number.NaN, 0.5)).toBeNull();
    expect(contrastStrength(0.3, 0)).toBeNull();
  });

  it('draws text readable on every shade of both hues (WCAG AA)', () => {
    const hexToRgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
    for (let step = -20; step <= 20; step++) {
      const swatch = contrastColor(step / 20);
      const text = swatch.color === '#000000' ? 0 : 1;
      expect(contrastRatio(luminance(hexToRgb(swatch.background)), text)).toBeGreaterThanOrEqual(4.5);
    }
    expect(contrastColor(0.5).background).not.toBe(contrastColor(-0.5).background);
  });
});
