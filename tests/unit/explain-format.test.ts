import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { sharesOfMainWords, tokensToWords } from '@/lib/explain/common';
import type { Explanation, Faithfulness } from '@/lib/explain/types';
import {
  contrast,
  counterfactualParts,
  divergingBar,
  divergingColor,
  formatK,
  formatPercent,
  formatScore,
  headMatrix,
  luminance,
  maxAbs,
  progressPercent,
  quoteList,
  rankFaithfulness,
  layerName,
  sequentialColor,
  tiedWithBest,
  wordShare,
  topWords,
  wordAttention,
} from '@/lib/ui/explain/format';
import { readAttention, readCounterfactual, readExplanation, readExplanations, readNeighbours } from '@/lib/ui/explain/parse';
import { WhyPanel, type WhyPanelProps } from '@/lib/ui/explain/why-panel';
import fixture from '@/tests/fixtures/explanations.json';

const words = ['Why', "hasn't", 'my', 'card', 'arrived'].map((text, i, all) => {
  const start = all.slice(0, i).reduce((sum, w) => sum + w.length + 1, 0);
  return { text, start, end: start + text.length };
});

/** An explanation as the panel reads it: through `readExplanation`, with the method's own schemas. */
function explanation(method: Explanation['method'], scores: number[] | null, extra: Record<string, unknown> = {}, faithfulness?: Faithfulness): Explanation {
  const read = readExplanation({ method, version: 1, target: { index: 11, label: 'card_arrival', probability: 0.87 }, settings: {}, words, scores, extra, faithfulness, timing: { ms: 1, forwardPasses: 0 } });
  if (!read.ok) throw new Error(read.reason);
  return read.value.explanation;
}

function faith(meanComprehensiveness: number, meanSufficiency: number, deletionAuc: number): Faithfulness {
  return { comprehensiveness: [{ k: '1', value: meanComprehensiveness }], sufficiency: [{ k: '1', value: meanSufficiency }], meanComprehensiveness, meanSufficiency, deletionAuc };
}

/** The fixture's explanations as the panel reads them. */
const fixtureExplanations = readExplanations(fixture.explanations).read.map((entry) => entry.explanation);

const labelOf = (intent: string) => ({ card_delivery_estimate: 'How long card delivery takes' })[intent] ?? intent;

describe('formatting', () => {
  it('formats probabilities as whole percents with a no-break space', () => {
    expect(formatPercent(0.8712)).toBe('87\u00a0%');
    expect(formatPercent(1)).toBe('100\u00a0%');
    expect(formatPercent(0.004)).toBe('<1\u00a0%');
    expect(formatPercent(0.0412, 1)).toBe('4.1\u00a0%');
    expect(formatPercent(Number.NaN)).toBe('–');
  });

  it('formats signed scores with a plus or a true minus, and no signed zero', () => {
    expect(formatScore(0.2134)).toBe('+0.213');
    expect(formatScore(-0.04)).toBe('\u22120.040');
    expect(formatScore(-0.0001)).toBe('0.000');
    expect(formatScore(0)).toBe('0.000');
  });

  it('quotes word lists the way a sentence does', () => {
    expect(quoteList(['arrived'])).toBe('\u201carrived\u201d');
    expect(quoteList(['card', 'arrived'])).toBe('\u201ccard\u201d and \u201carrived\u201d');
    expect(quoteList(['a', 'b', 'c'])).toBe('\u201ca\u201d, \u201cb\u201d and \u201cc\u201d');
  });

  it('names the k levels of a faithfulness evaluation', () => {
    expect(formatK('2')).toBe('k\u00a0=\u00a02');
    expect(formatK('20%')).toBe('20\u00a0%');
    expect(formatK('20 %')).toBe('20\u00a0%');
  });

  it('turns progress into a clamped percentage', () => {
    expect(progressPercent({ done: 2, total: 6 })).toBe(33);
    expect(progressPercent({ done: 9, total: 6 })).toBe(100);
    expect(progressPercent({ done: 1, total: 0 })).toBe(0);
    expect(progressPercent(undefined)).toBe(0);
  });
});

describe('colour scales', () => {
  it('is white at zero and reaches the blue and orange endpoints at the scale', () => {
    expect(divergingColor(0, 1).background).toBe('#ffffff');
    expect(divergingColor(0.5, 0.5).background).toBe('#2166ac');
    expect(divergingColor(-2, 1).background).toBe('#e66101');
    expect(divergingColor(0.3, 0).background).toBe('#ffffff');
  });

  it('grows with the magnitude and keeps the sign as the hue', () => {
    const weak = divergingColor(0.1, 1).background;
    const strong = divergingColor(0.6, 1).background;
    expect(luminance(hexToRgb(strong))).toBeLessThan(luminance(hexToRgb(weak)));
    const [r, , b] = hexToRgb(divergingColor(0.4, 1).background);
    expect(b).toBeGreaterThan(r);
    const [r2, , b2] = hexToRgb(divergingColor(-0.4, 1).background);
    expect(r2).toBeGreaterThan(b2);
  });

  it('picks the text colour with at least WCAG AA contrast for every shade', () => {
    for (let s = -1; s <= 1.0001; s += 0.05) {
      const swatch = divergingColor(s, 1);
      const ratio = contrast(luminance(hexToRgb(swatch.background)), luminance(hexToRgb(swatch.color)));
      expect(ratio).toBeGreaterThanOrEqual(4.5);
    }
    expect(divergingColor(1, 1).color).toBe('#ffffff');
    expect(divergingColor(0.01, 1).color).toBe('#000000');
    expect(sequentialColor(0.5, 0.5).background).toBe('#2166ac');
    expect(sequentialColor(-1, 1).background).toBe('#ffffff');
  });

  it('draws diverging bars from the middle, at most half the width', () => {
    expect(divergingBar(0.25, 0.5)).toEqual({ side: 'positive', percent: 25 });
    expect(divergingBar(-0.5, 0.5)).toEqual({ side: 'negative', percent: 50 });
    expect(divergingBar(0, 0.5)).toEqual({ side: 'none', percent: 0 });
    expect(maxAbs([0.1, -0.4, 0.2])).toBe(0.4);
  });
});

describe('summary sentences', () => {
  it('takes the top positive words, highest first', () => {
    const lime = explanation('lime', [0.02, 0.23, -0.07, 0.18, 0.37]);
    expect(topWords(lime, 3).map((w) => w.word)).toEqual(['arrived', "hasn't", 'card']);
    expect(topWords(explanation('lime', [-0.1, -0.2, 0, -0.3, -0.4]), 3)).toEqual([]);
    expect(topWords(explanation('similar', null), 3)).toEqual([]);
  });

  it('says what would have changed the answer, or that nothing did', () => {
    const found = readCounterfactual(
      explanation('counterfactual', null, { found: true, removed: [4], removedWords: ['arrived'], text: "Why hasn't my card", newIndex: 12, newLabel: 'card_delivery_estimate', newProbability: 0.46 }),
    );
    expect(found).not.toBeNull();
    expect(counterfactualParts(found!, labelOf)).toEqual({ before: 'Without \u201carrived\u201d, I would have answered ', answer: 'How long card delivery takes', after: '.' });
    const none = readCounterfactual(explanation('counterfactual', null, { found: false, removed: [], removedWords: [], text: "Why hasn't my card arrived" }));
    expect(none).toMatchObject({ found: false, newLabel: null, newProbability: null });
    expect(counterfactualParts(none!, labelOf)).toBeNull();
    expect(readCounterfactual(explanation('lime', [0, 0, 0, 0, 0]))).toBeNull();
  });

  it('reads neighbours with the method\'s own schema: a malformed list is not read', () => {
    const similar = explanation('similar', null, { neighbours: [{ text: 'Where is my card?', label: 'card_arrival', score: 0.9 }] });
    expect(readNeighbours(similar)).toEqual([{ text: 'Where is my card?', label: 'card_arrival', score: 0.9 }]);
    expect(readNeighbours(explanation('similar', null, { neighbours: [{ text: 'Where is my card?', label: 'card_arrival', score: 0.9 }, { text: 3 }] }))).toBeNull();
    expect(readNeighbours(undefined)).toBeNull();
  });
});

describe('attention views', () => {
  // 3 tokens, 1 layer, 2 heads.
  const h0 = [
    [0.5, 0.25, 0.25],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const h1 = [
    [0.1, 0.7, 0.2],
    [0.5, 0.5, 0],
    [0.2, 0.2, 0.6],
  ];

  it('averages heads for the head view and the word strip', () => {
    const extra = { layers: 1, heads: 2, tokens: ['[CLS]', 'a', '[SEP]'], tokenWords: [null, 0, null], matrices: [[h0, h1]], wordCls: [[[0.25], [0.7]]] };
    expect(headMatrix(extra, 0, 'mean')[0]).toEqual([0.3, 0.475, 0.225]);
    expect(headMatrix(extra, 0, 1)).toBe(h1);
    expect(wordAttention(extra, 0, 'mean')[0]).toBeCloseTo(0.475, 12);
    expect(wordAttention(extra, 0, 0)).toEqual([0.25]);
  });

  it('names the stacked layers of an ensemble by model', () => {
    expect(layerName({ layers: 2 }, 1)).toBe('Layer 2');
    expect(layerName({ layers: 6, members: 3 }, 0)).toBe('Model 1, layer 1');
    expect(layerName({ layers: 6, members: 3 }, 5)).toBe('Model 3, layer 2');
    expect(layerName({ layers: 6, members: 3 }, 3, true)).toBe('M2 L2');
  });

  it('adds WordPiece tokens up into the words they belong to', () => {
    const tokenWords = [null, 0, 0, 1, null];
    expect(tokensToWords([0.1, 0.2, 0.3, 0.4, 0.0], sharesOfMainWords(tokenWords), 2)).toEqual([5 / 9, 4 / 9].map((v) => expect.closeTo(v, 12)));
    expect(tokensToWords([1, 0, 0, 0, 0], sharesOfMainWords(tokenWords), 2)).toEqual([0, 0]);
    // A token over two words (an [UNK] for an unspaced run) is split by its share of the characters.
    expect(tokensToWords([0, 0.6, 0.4], [[], [{ word: 0, share: 0.5 }, { word: 1, share: 0.5 }], [{ word: 1, share: 1 }]], 2)).toEqual([0.3, 0.7].map((v) => expect.closeTo(v, 12)));
    expect(wordShare([0.1, 0.2, 0.3, 0.4, 0.0], tokenWords)).toBeCloseTo(0.9, 12);
  });

  it('accepts the fixture and rejects a malformed attention extra', () => {
    const attention = fixtureExplanations.find((e) => e.method === 'attention');
    const extra = readAttention(attention)?.extra;
    expect(extra?.layers).toBe(2);
    expect(extra?.heads).toBe(4);
    for (const layer of extra!.matrices) for (const head of layer) for (const row of head) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    // The fixture's word scores are the last layer's mean over heads of the [CLS]→word attention.
    wordAttention(extra!, 1, 'mean').forEach((value, i) => expect(value).toBeCloseTo(attention!.scores![i], 3));
    expect(readAttention(explanation('attention', [0, 0, 0, 0, 0], { layers: 2, heads: 4, tokens: [], tokenWords: [], matrices: [], wordCls: [] }))).toBeNull();
  });
});

describe('ranking the most faithful method', () => {
  it('ranks by mean comprehensiveness minus mean sufficiency, highest first', () => {
    const ranked = rankFaithfulness([
      explanation('attention', [0, 0, 0, 0, 0], {}, faith(0.4, 0.3, 0.3)), // 0.1
      explanation('lime', [0, 0, 0, 0, 0], {}, faith(0.6, 0.2, 0.25)), // 0.4
      explanation('occlusion', [0, 0, 0, 0, 0], {}, faith(0.5, 0.2, 0.2)), // 0.3
      explanation('rollout', [0, 0, 0, 0, 0]), // not evaluated: left out
      explanation('similar', null),
    ]);
    expect(ranked.map((r) => r.method)).toEqual(['lime', 'occlusion', 'attention']);
    expect(ranked[0].score).toBeCloseTo(0.4, 12);
  });

  it('breaks a tie by the lower deletion AUC, then by the word view\'s order', () => {
    const tie = rankFaithfulness([
      explanation('lime', [0, 0, 0, 0, 0], {}, faith(0.5, 0.2, 0.3)),
      explanation('occlusion', [0, 0, 0, 0, 0], {}, faith(0.5, 0.2, 0.2)),
    ]);
    expect(tie.map((r) => r.method)).toEqual(['occlusion', 'lime']);
    const full = rankFaithfulness([
      explanation('occlusion', [0, 0, 0, 0, 0], {}, faith(0.5, 0.2, 0.2)),
      explanation('lime', [0, 0, 0, 0, 0], {}, faith(0.5, 0.2, 0.2)),
    ]);
    expect(full.map((r) => r.method)).toEqual(['lime', 'occlusion']);
    expect(tiedWithBest(full)).toEqual(['occlusion']);
    expect(tiedWithBest(tie)).toEqual([]);
    expect(tiedWithBest([])).toEqual([]);
  });

  it('finds LIME most faithful in the fixture and rollout least', () => {
    const ranked = rankFaithfulness(fixtureExplanations);
    expect(ranked.map((r) => r.method)).toEqual(['lime', 'occlusion', 'attention', 'rollout']);
  });
});

function hexToRgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

describe('the panel renders the fixture', () => {
  const explanations = fixture.explanations as { method: string; extra: object }[];
  const render = (props: Partial<WhyPanelProps>) =>
    renderToStaticMarkup(
      createElement(WhyPanel, { explanations, prediction: fixture.prediction, labelOf: (intent: string) => intent.replace(/_/g, ' '), status: 'ready', ...props }),
    );

  it('shows the customer the summary and three plain tabs, with the technical details closed', () => {
    const html = render({});
    expect(html).toContain('data-testid="why-summary"');
    expect(html).toContain('card arrival');
    expect(html).toContain('87\u00a0%');
    expect(html).toContain('Without \u201carrived\u201d, I would have answered ');
    expect(html.match(/role="tab"/g)).toHaveLength(3);
    for (const tab of ['words', 'alternatives', 'similar']) expect(html).toContain(`data-testid="why-tab-${tab}"`);
    expect(html).toMatch(/aria-selected="true"[^>]*data-testid="why-tab-words"/);
    expect(html).toContain('Words that led to this answer');
    expect(html).toMatch(/<button[^>]*aria-expanded="false"[^>]*data-testid="why-technical-toggle"/);
    expect(html).not.toContain('why-progress');
    // No jargon in the customer's default view.
    const visible = html.replace(/<[^>]+>/g, ' ');
    for (const jargon of ['[CLS]', 'LIME', 'Occlusion', 'Rollout', 'layer', 'head', 'R²', 'AUC', 'k\u00a0=', 'surrogate', 'comprehensiveness', 'Computed in your browser'])
      expect(visible, jargon).not.toContain(jargon);
  });

  it('mutes words with negligible scores instead of colouring them', () => {
    const html = render({ explanations: [explanation('lime', [0.004, 0.3, -0.2, 0.02, 0.5])] });
    const led = [...html.matchAll(/data-evidence="led"[^>]*>.*?<bdi[^>]*>([^<]*)</g)].map((m) => m[1]);
    const muted = [...html.matchAll(/data-evidence="negligible"[^>]*>.*?<bdi[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(led).toEqual(['hasn&#x27;t', 'arrived']);
    expect(muted).toEqual(['Why', 'my', 'card']);
  });

  it('opens the technical details for an operator, and says the panel was stored, when and on which backend', () => {
    const html = render({ reader: 'operator', provenance: { kind: 'stored', storedAt: '2026-01-02 03:04 UTC', backend: 'wasm' } });
    expect(html).toMatch(/<button[^>]*aria-expanded="true"[^>]*data-testid="why-technical-toggle"/);
    expect(html.match(/role="tab"/g)).toHaveLength(6);
    for (const tab of ['scores', 'attention', 'faithfulness']) expect(html).toContain(`data-testid="why-tab-${tab}"`);
    expect(html).toContain('Stored with the prediction on 2026-01-02 03:04 UTC; computed in the visitor&#x27;s browser on wasm');
    expect(html).not.toContain('Computed in your browser');
  });

  it('shows progress and "Computing…" while explanations are missing, and the error when failed', () => {
    const computing = render({ explanations: explanations.filter((e) => e.method === 'attention'), status: 'computing', progress: { done: 1, total: 6, method: 'lime' } });
    expect(computing).toMatch(/role="status" data-testid="why-progress"/);
    expect(computing).toContain('aria-valuenow="17"');
    expect(computing).toContain('Computing…');
    const failed = render({ explanations: [], status: 'failed', error: 'worker stopped' });
    expect(failed).toContain('role="alert"');
    expect(failed).toContain('worker stopped');
    expect(failed).not.toContain('why-progress');
  });

  it('renders text as text: markup in words and neighbours is escaped', () => {
    const evil = explanations.map((e) =>
      e.method === 'similar' ? { ...e, extra: { neighbours: [{ text: '<img src=x onerror=alert(1)>', label: 'card_arrival', score: 0.9 }] } } : e,
    );
    const html = render({ explanations: evil });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
