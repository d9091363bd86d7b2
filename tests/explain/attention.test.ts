import { describe, expect, it } from 'vitest';

import { attentionExplainer } from '@/lib/explain/attention';
import { rolloutExplainer, rolloutMatrix } from '@/lib/explain/rollout';
import { similarExplainer } from '@/lib/explain/similar';
import type { ExplainInput } from '@/lib/explain/types';
import { wordSpans } from '@/lib/model/spans';
import type { Analysis, TokenInfo } from '@/lib/model/types';

function analysisOf(text: string, tokens: TokenInfo[], attentions: number[][][][]): Analysis {
  return {
    text,
    labels: ['a', 'b'],
    logits: [0, 1],
    probabilities: [0.25, 0.75],
    temperature: 1,
    top: 1,
    tokens,
    words: wordSpans(text, 'en'),
    attentions,
    embedding: [1, 0],
    truncated: false,
  };
}

function inputOf(a: Analysis): ExplainInput {
  return {
    text: a.text,
    words: a.words,
    predict: async () => {
      throw new Error('attention explainers must not run the model');
    },
    labels: a.labels,
    target: 1,
    analysis: a,
  };
}

const tok = (token: string, word: number | null, special = word === null): TokenInfo => ({ id: 0, token, span: null, word, wordShares: word === null ? [] : [{ word, share: 1 }], special });

// Rollout, worked by hand. Tokens: [CLS], "hi" (word 0), "there" (word 1).
// Layer 1 heads:  h1 = [[.6,.2,.2],[.2,.6,.2],[.2,.2,.6]], h2 = [[.2,.6,.2],[.2,.2,.6],[.6,.2,.2]]
//   mean = [[.4,.4,.2],[.2,.4,.4],[.4,.2,.4]];  Â1 = .5·mean + .5·I = [[.7,.2,.1],[.1,.7,.2],[.2,.1,.7]]
// Layer 2 heads:  g1 = [[0,1,0],[0,1,0],[0,0,1]], g2 = [[0,0,1],[1,0,0],[0,0,1]]
//   mean = [[0,.5,.5],[.5,.5,0],[0,0,1]];      Â2 = [[.5,.25,.25],[.25,.75,0],[0,0,1]]
// R = Â2·Â1: row 0 = .5·[.7,.2,.1] + .25·[.1,.7,.2] + .25·[.2,.1,.7] = [.425, .3, .275]
//            row 1 = .25·[.7,.2,.1] + .75·[.1,.7,.2]               = [.25, .575, .175]
//            row 2 = [.2, .1, .7]
// Words (drop [CLS], renormalise): [.3, .275] / .575.
const L1 = [
  [[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6]],
  [[0.2, 0.6, 0.2], [0.2, 0.2, 0.6], [0.6, 0.2, 0.2]],
];
const L2 = [
  [[0, 1, 0], [0, 1, 0], [0, 0, 1]],
  [[0, 0, 1], [1, 0, 0], [0, 0, 1]],
];

describe('attention rollout', () => {
  it('equals the hand-computed example', () => {
    const r = rolloutMatrix([L1, L2], 0.5);
    const expected = [[0.425, 0.3, 0.275], [0.25, 0.575, 0.175], [0.2, 0.1, 0.7]];
    r.forEach((row, i) => row.forEach((x, j) => expect(x).toBeCloseTo(expected[i][j], 12)));
  });

  it('explains with the [CLS] row aggregated to words', async () => {
    const a = analysisOf('hi there', [tok('[CLS]', null), tok('hi', 0), tok('there', 1)], [L1, L2]);
    const e = await rolloutExplainer.explain(inputOf(a));
    expect(e.method).toBe('rollout');
    expect(e.scores![0]).toBeCloseTo(0.3 / 0.575, 12);
    expect(e.scores![1]).toBeCloseTo(0.275 / 0.575, 12);
    const extra = e.extra as { tokenRollout: number[]; residual: number };
    expect(extra.residual).toBe(0.5);
    extra.tokenRollout.forEach((x, j) => expect(x).toBeCloseTo([0.425, 0.3, 0.275][j], 12));
    expect(e.target).toEqual({ index: 1, label: 'b', probability: 0.75 });
    expect(e.timing.forwardPasses).toBe(0);
  });

  it('with no residual is the plain product of head-averaged attention', () => {
    const r = rolloutMatrix([L1, L2], 0);
    // row 0 of mean2 · mean1 = .5·[.2,.4,.4] + .5·[.4,.2,.4] = [.3,.3,.4]
    r[0].forEach((x, j) => expect(x).toBeCloseTo([0.3, 0.3, 0.4][j], 12));
  });
});

describe('attention from [CLS] on typed words', () => {
  // "cards ✈ arrived": "cards" -> card ##s, "✈" -> [UNK] (special, but typed), "arrived".
  const text = 'cards ✈ arrived';
  const tokens = [tok('[CLS]', null), tok('card', 0), tok('##s', 0), tok('[UNK]', 1, true), tok('arrived', 2), tok('[SEP]', null)];
  const uniform = Array.from({ length: 6 }, () => new Array(6).fill(1 / 6));
  const head1 = uniform.map((r, i) => (i === 0 ? [0.1, 0.2, 0.1, 0.15, 0.3, 0.15] : r));
  const head2 = uniform.map((r, i) => (i === 0 ? [0.5, 0, 0, 0.25, 0.25, 0] : r));
  const a = analysisOf(text, tokens, [[uniform, uniform], [head1, head2]]);

  it('sums word pieces, drops [CLS]/[SEP], renormalises; scores = last layer, mean over heads', async () => {
    const e = await attentionExplainer.explain(inputOf(a));
    const extra = e.extra as { layers: number; heads: number; tokens: string[]; tokenWords: (number | null)[]; matrices: number[][][][]; wordCls: number[][][] };
    expect(extra.layers).toBe(2);
    expect(extra.heads).toBe(2);
    expect(extra.tokens).toEqual(['[CLS]', 'card', '##s', '[UNK]', 'arrived', '[SEP]']);
    expect(extra.tokenWords).toEqual([null, 0, 0, 1, 2, null]);
    extra.matrices.forEach((layer, l) => layer.forEach((head, h) => head.forEach((row, q) => row.forEach((x, k) => expect(x).toBeCloseTo(a.attentions[l][h][q][k], 6)))));
    // Layer 2, head 1: words [.3, .15, .3] / .75; head 2: [0, .25, .25] / .5.
    [0.4, 0.2, 0.4].forEach((x, w) => expect(extra.wordCls[1][0][w]).toBeCloseTo(x, 12));
    [0, 0.5, 0.5].forEach((x, w) => expect(extra.wordCls[1][1][w]).toBeCloseTo(x, 12));
    // Layer 1 (uniform): 2/6, 1/6, 1/6 of the 4/6 on words.
    [0.5, 0.25, 0.25].forEach((x, w) => expect(extra.wordCls[0][1][w]).toBeCloseTo(x, 12));
    [0.2, 0.35, 0.45].forEach((x, w) => expect(e.scores![w]).toBeCloseTo(x, 12));
    expect(e.words.map((w) => w.text)).toEqual(['cards', '✈', 'arrived']);
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it('refuses an analysis of another text', async () => {
    await expect(attentionExplainer.explain({ ...inputOf(a), text: 'other text', words: wordSpans('other text', 'en') })).rejects.toThrow(/different text/);
  });
});

describe('similar questions', () => {
  it('asks the index for the k nearest to the sentence embedding and keeps them as given', async () => {
    const a = analysisOf('hi there', [tok('[CLS]', null), tok('hi', 0), tok('there', 1)], [L1, L2]);
    const calls: [number[], number][] = [];
    const input = {
      ...inputOf(a),
      similar: (embedding: number[], k: number) => {
        calls.push([embedding, k]);
        return [
          { text: 'hello', label: 'greeting', score: 0.9 },
          { text: 'hey you', label: 'greeting', score: 0.7 },
        ].slice(0, k);
      },
    };
    const e = await similarExplainer.explain(input, { k: 2 });
    expect(calls).toEqual([[[1, 0], 2]]);
    expect(e.scores).toBeNull();
    expect(e.extra).toEqual({ neighbours: [{ text: 'hello', label: 'greeting', score: 0.9 }, { text: 'hey you', label: 'greeting', score: 0.7 }] });
    expect(e.settings).toEqual({ k: 2 });
    await expect(similarExplainer.explain(inputOf(a))).rejects.toThrow(/input.similar/);
  });
});

describe('ensembles: members stacked in the attentions', () => {
  it('rolls out each member through its own layers and averages the members', () => {
    // Member 1 = [L1, L2] (row 0 = [.425, .3, .275], above); member 2 = [L2, L1]:
    // R = Â1·Â2, row 0 = .7·[.5,.25,.25] + .2·[.25,.75,0] + .1·[0,0,1] = [.4, .325, .275].
    const r = rolloutMatrix([L1, L2, L2, L1], 0.5, 2);
    r[0].forEach((x, j) => expect(x).toBeCloseTo([0.4125, 0.3125, 0.275][j], 12));
    for (const row of r) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(() => rolloutMatrix([L1, L2, L1], 0.5, 2)).toThrow(/cannot be split/);
  });

  it('attention scores average each member’s last layer', async () => {
    const text = 'cards ✈ arrived';
    const tokens = [tok('[CLS]', null), tok('card', 0), tok('##s', 0), tok('[UNK]', 1, true), tok('arrived', 2), tok('[SEP]', null)];
    const uniform = Array.from({ length: 6 }, () => new Array(6).fill(1 / 6));
    const head1 = uniform.map((r, i) => (i === 0 ? [0.1, 0.2, 0.1, 0.15, 0.3, 0.15] : r));
    const head2 = uniform.map((r, i) => (i === 0 ? [0.5, 0, 0, 0.25, 0.25, 0] : r));
    const a = analysisOf(text, tokens, [[uniform, uniform], [head1, head2], [head1, head2], [uniform, uniform]]);
    const e = await attentionExplainer.explain(inputOf(a), { members: 2 });
    // Member 1's last layer: [.2, .35, .45]; member 2's (uniform): [.5, .25, .25].
    [0.35, 0.3, 0.35].forEach((x, w) => expect(e.scores![w]).toBeCloseTo(x, 12));
    expect(e.extra).toMatchObject({ layers: 4, members: 2, layersPerMember: 2 });
    expect(e.settings).toMatchObject({ members: 2 });
  });
});
