import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { readAttention, readCounterfactual, readExplanation, readExplanations, readLime, readNeighbours, readPrediction, readRollout, RENDER_LIMITS } from '@/lib/ui/explain/parse';
import { WhyPanel } from '@/lib/ui/explain/why-panel';
import fixture from '@/tests/fixtures/explanations.json';

const stored = fixture.explanations as unknown[];
const fixtureOf = (method: string) => structuredClone(stored.find((e) => (e as { method: string }).method === method)) as Record<string, unknown> & { extra: Record<string, unknown> };
const words = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `w${i}`, start: i * 3, end: i * 3 + 2 }));
const read = (value: unknown) => {
  const result = readExplanation(value);
  if (!result.ok) throw new Error(result.reason);
  return result.value;
};

/** An attention explanation of `tokens` tokens (2 of them special) with the given layers and heads. */
function attention(layers: number, heads: number, tokens = 4) {
  const row = Array.from({ length: tokens }, () => 1 / tokens);
  const wordCount = tokens - 2;
  return {
    method: 'attention',
    version: 1,
    target: { index: 0, label: 'card_arrival', probability: 0.9 },
    settings: {},
    words: words(wordCount),
    scores: Array.from({ length: wordCount }, () => 0.5),
    extra: {
      layers,
      heads,
      tokens: Array.from({ length: tokens }, (_, i) => `t${i}`),
      tokenWords: Array.from({ length: tokens }, (_, i) => (i === 0 || i === tokens - 1 ? null : i - 1)),
      matrices: Array.from({ length: layers }, () => Array.from({ length: heads }, () => Array.from({ length: tokens }, () => row))),
      wordCls: Array.from({ length: layers }, () => Array.from({ length: heads }, () => Array.from({ length: wordCount }, () => 0.5))),
    },
    timing: { ms: 1, forwardPasses: 0 },
  };
}

describe('reading a stored explanation', () => {
  it('reads every method of the fixture unchanged', () => {
    const { read: all, unreadable } = readExplanations(stored);
    expect(unreadable).toEqual([]);
    expect(all.map((entry) => entry.explanation.method).sort()).toEqual(['attention', 'counterfactual', 'lime', 'occlusion', 'rollout', 'similar']);
    const lime = all.find((entry) => entry.explanation.method === 'lime')!;
    expect(lime.explanation.scores).toEqual(fixtureOf('lime').scores);
    expect(lime.cut).toEqual([]);
    expect(readLime(lime.explanation)).toMatchObject({ samples: 1000 });
  });

  it('says why a record cannot be displayed, whatever it is', () => {
    for (const value of [null, undefined, 'lime', 42, [], {}, { method: 'lime' }, { method: 'magic', words: [] }]) {
      const result = readExplanation(value);
      expect(result.ok, JSON.stringify(value)).toBe(false);
      if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
    }
    const lime = fixtureOf('lime');
    expect(readExplanation({ ...lime, words: 'my card' })).toMatchObject({ ok: false, method: 'lime' });
    expect(readExplanation({ ...lime, scores: [0.1] })).toMatchObject({ ok: false, reason: expect.stringContaining('1 scores for') });
    // Gaps are not guessed at: scores with a null (a NaN when stored) or a string cannot be displayed.
    const scores = lime.scores as number[];
    expect(readExplanation({ ...lime, scores: [null, ...scores.slice(1)] })).toMatchObject({ ok: false, method: 'lime', reason: expect.stringContaining('scores.0') });
    expect(readExplanation({ ...lime, scores: 'many' })).toMatchObject({ ok: false, method: 'lime' });
    expect(readExplanations('not a list').unreadable).toEqual([{ method: 'unknown', reason: 'the stored explanations are not a list' }]);
  });

  it('keeps what it can of a record with odd parts', () => {
    const lime = fixtureOf('lime');
    const odd = read({ ...lime, extra: null, settings: 'x', timing: 'soon', faithfulness: { comprehensiveness: 'high' } });
    expect(odd.explanation.extra).toEqual({});
    expect(odd.explanation.settings).toEqual({});
    expect(odd.explanation.scores).toEqual(lime.scores);
    expect(odd.explanation.faithfulness).toBeUndefined();
    expect(Number.isNaN(odd.explanation.timing.ms)).toBe(true);
    expect(odd.cut).toEqual([expect.stringMatching(/^Its settings could not be read \(/), 'Its faithfulness figures could not be read.']);
    expect(readLime(odd.explanation)).toBeNull();
    // `extra` is read with the method's own schema (the one the server stores with): a field of
    // the wrong type leaves the method's data out, and the cut says where.
    const wrong = read({ ...lime, extra: { ...lime.extra, samples: 'many' } });
    expect(wrong.explanation.extra).toEqual({});
    expect(wrong.cut).toEqual([expect.stringContaining('Its method data could not be read (samples:')]);
    expect(readLime(wrong.explanation)).toBeNull();
    // Keys the schema does not know are dropped.
    expect(read({ ...lime, extra: { ...lime.extra, visitor: 'my card 4111' } }).explanation.extra).not.toHaveProperty('visitor');
  });

  it('cuts a long word list and says so', () => {
    const long = read({ ...fixtureOf('occlusion'), words: words(3000), scores: Array.from({ length: 3000 }, () => 0.1) });
    expect(long.explanation.words).toHaveLength(RENDER_LIMITS.words);
    expect(long.explanation.scores).toHaveLength(RENDER_LIMITS.words);
    expect(long.cut).toEqual([`Showing the first ${RENDER_LIMITS.words} of 3,000 words.`]);
  });

  it('reads a stored prediction whatever its types', () => {
    expect(readPrediction({ intent: 7, confidence: 'high', topK: { a: 1 } })).toEqual({ intent: '', confidence: Number.NaN, topK: [] });
    const topK = [{ intent: 'a', probability: 0.5 }, { intent: 3 }, null, ...Array.from({ length: 50 }, (_, i) => ({ intent: `i${i}`, probability: 0.01 }))];
    const prediction = readPrediction({ intent: 'a', confidence: 0.5, topK });
    expect(prediction.topK).toHaveLength(RENDER_LIMITS.topK);
    expect(prediction.topK[0]).toEqual({ intent: 'a', probability: 0.5 });
  });
});

describe('reading attention', () => {
  it('refuses shapes that do not fit together', () => {
    const cases: Record<string, unknown>[] = [
      { layers: 1, heads: 0, matrices: [[]], wordCls: [], tokens: ['a'], tokenWords: [null] },
      { ...attention(1, 2).extra, heads: 20000 },
      { ...attention(2, 2).extra, layers: 1 },
      { ...attention(1, 2).extra, matrices: [[[[0.5, null, 0.5, 0]], []]] },
      { ...attention(1, 1).extra, matrices: [[[[0.25, 0.25, 0.25, 0.25], [0.25, 'x', 0.25, 0.25], [1, 0, 0, 0], [1, 0, 0, 0]]]] },
      { ...attention(2, 1).extra, members: 3 },
      { ...attention(1, 1).extra, tokenWords: [null] },
      { ...attention(1, 1).extra, layers: 'two' },
    ];
    for (const extra of cases) expect(readAttention(read({ ...attention(1, 1), extra }).explanation), JSON.stringify(extra).slice(0, 80)).toBeNull();
  });

  it('caps layers, heads and tokens to draw, and says what was cut', () => {
    const big = readAttention(read(attention(20, 40, 60)).explanation)!;
    expect(big.extra.layers).toBe(RENDER_LIMITS.layers);
    expect(big.extra.heads).toBe(RENDER_LIMITS.heads);
    expect(big.extra.matrices).toHaveLength(RENDER_LIMITS.layers);
    expect(big.extra.matrices[0]).toHaveLength(RENDER_LIMITS.heads);
    expect(big.extra.matrices[0]![0]).toHaveLength(RENDER_LIMITS.tokens);
    expect(big.extra.matrices[0]![0]![0]).toHaveLength(RENDER_LIMITS.tokens);
    expect(big.complete).toBe(false);
    expect(big.cut).toEqual([
      `Showing ${RENDER_LIMITS.layers} of 20 layers.`,
      `Showing ${RENDER_LIMITS.heads} of 40 heads per layer.`,
      `The token table shows the first ${RENDER_LIMITS.tokens} of 60 tokens.`,
    ]);
    const small = readAttention(read(attention(2, 4)).explanation)!;
    expect(small).toMatchObject({ complete: true, cut: [] });
  });

  it('reads rollout, counterfactual and neighbours only from their own shapes', () => {
    expect(readRollout(read({ ...fixtureOf('rollout'), extra: { residual: 2 } }).explanation)).toBeNull();
    expect(readRollout(read(fixtureOf('rollout')).explanation)?.residual).toBe(0.5);
    expect(readCounterfactual(read({ ...fixtureOf('counterfactual'), extra: { found: true, removedWords: ['a', 3, null], newLabel: 9 } }).explanation)).toBeNull();
    const counterfactual = readCounterfactual(read({ ...fixtureOf('counterfactual'), extra: { found: true, removedWords: Array.from({ length: 30 }, (_, i) => `w${i}`) } }).explanation);
    expect(counterfactual).toMatchObject({ found: true, newLabel: null, text: '', removed: [] });
    expect(counterfactual?.removedWords).toHaveLength(RENDER_LIMITS.removedWords);
    expect(readCounterfactual(read(fixtureOf('lime')).explanation)).toBeNull();
    const neighbours = Array.from({ length: 50 }, (_, i) => ({ text: `q${i}`, label: 'card_arrival', score: 0.5 }));
    expect(readNeighbours(read({ ...fixtureOf('similar'), extra: { neighbours } }).explanation)).toHaveLength(RENDER_LIMITS.neighbours);
    expect(readNeighbours(read({ ...fixtureOf('similar'), extra: { neighbours: [...neighbours.slice(0, 3), { text: 3 }] } }).explanation)).toBeNull();
    expect(readNeighbours(read({ ...fixtureOf('similar'), extra: { neighbours: 'none' } }).explanation)).toBeNull();
  });
});

describe('the panel is total', () => {
  const prediction = fixture.prediction;
  const render = (explanations: unknown[], reader: 'customer' | 'operator' = 'operator') =>
    renderToStaticMarkup(createElement(WhyPanel, { explanations, prediction, labelOf: (intent: string) => intent, status: 'ready', reader }));

  it('renders odd records as "cannot display", and the readable ones beside them', () => {
    const odd = [
      { ...fixtureOf('attention'), extra: { layers: 1, heads: 0, matrices: [[]], wordCls: [], tokens: [], tokenWords: [] } },
      null,
      { method: 'lime', words: 'x' },
      fixtureOf('similar'),
    ];
    const html = render(odd);
    expect(html).toContain('data-testid="why-unreadable"');
    expect(html).toContain('Cannot display this explanation (unknown)');
    expect(html).toContain('Cannot display this explanation (lime)');
    expect(html).toContain('data-testid="why-attention-unreadable"');
    expect(html).toContain('data-testid="why-similar"');
    const customer = render(odd, 'customer');
    expect(customer).toContain('Part of this explanation cannot be displayed.');
  });

  it('keeps the page small for a record with 20,000 heads', () => {
    // As many heads and tokens as a stored record may have (lib/explain/attention.ts schema).
    const huge = attention(3, 64, 200);
    const html = render([huge]);
    // 3 layers × (16 heads + mean) + rollout rows of ≤ 24 words, and a 48 × 48 token table.
    expect(html.length).toBeLessThan(600_000);
    expect((html.match(/<td/g) ?? []).length).toBeLessThan(5000);
    expect(html).toContain(`Showing ${RENDER_LIMITS.heads} of 64 heads per layer.`);
    // More heads than any record may store: not read at all.
    expect(render([attention(3, 200, 20)])).toContain('data-testid="why-attention-unreadable"');
    const claimed = render([{ ...huge, extra: { ...huge.extra, heads: 20000 } }]);
    expect(claimed).toContain('data-testid="why-attention-unreadable"');
    expect(claimed.length).toBeLessThan(200_000);
  });
});
