import { describe, expect, it } from 'vitest';

import { jsonSafe } from '@/lib/explain/common';
import { cachedPredict, keepOnlyWords, removeWords } from '@/lib/explain/perturb';
import { createRng } from '@/lib/explain/rng';
import { wordSpans } from '@/lib/model/spans';
import type { PredictFn } from '@/lib/model/types';

describe('perturbed texts', () => {
  const text = '  My card,  still\tnot arrived?! ';
  const words = wordSpans(text, 'en');

  it('removes the words only: punctuation stays as context, gaps never double, the ends are trimmed', () => {
    expect(words.map((w) => w.text)).toEqual(['My', 'card', 'still', 'not', 'arrived']);
    expect(removeWords(text, words, [])).toBe(text);
    expect(removeWords(text, words, [0])).toBe('card,  still\tnot arrived?!');
    expect(removeWords(text, words, [1])).toBe('My,  still\tnot arrived?!');
    expect(removeWords(text, words, [2, 3])).toBe('My card, arrived?!');
    expect(removeWords(text, words, [4])).toBe('My card,  still\tnot?!');
    expect(removeWords(text, words, [0, 1, 2, 3, 4])).toBe(',?!');
    expect(keepOnlyWords(text, words, [4, 1])).toBe('card, arrived?!');
    expect(keepOnlyWords(text, words, [])).toBe(',?!');
  });

  it('removes whole units of unspaced text and keeps what lies between them', () => {
    const chinese = '我的卡丢了，怎么办？';
    const units = wordSpans(chinese, 'zh');
    expect(units.map((w) => w.text)).toEqual(['我的', '卡', '丢', '了', '怎么', '办']);
    expect(removeWords(chinese, units, [1])).toBe('我的丢了，怎么办？');
    expect(removeWords(chinese, units, [3, 4])).toBe('我的卡丢，办？');
    expect(keepOnlyWords(chinese, units, [1, 5])).toBe('卡，办？');
    const thai = 'บัตรของฉันหาย';
    const thaiUnits = wordSpans(thai, 'th');
    expect(removeWords(thai, thaiUnits, [1])).toBe('บัตรฉันหาย');
  });
});

describe('cachedPredict', () => {
  function counting() {
    const batches: string[][] = [];
    const predict: PredictFn = async (texts) => {
      batches.push(texts);
      return texts.map((t) => [t.length / 100, 1 - t.length / 100]);
    };
    return { predict, batches };
  }

  it('evaluates each distinct text once, across calls, shortest first, in batches', async () => {
    const { predict, batches } = counting();
    const cp = cachedPredict(predict, 2);
    const out = await cp.predict(['ccc', 'a', 'ccc', 'bb', 'dddd', 'a']);
    expect(out.map((r) => r[0])).toEqual([0.03, 0.01, 0.03, 0.02, 0.04, 0.01]);
    expect(batches).toEqual([['a', 'bb'], ['ccc', 'dddd']]);
    expect(cp.stats).toEqual({ forwardPasses: 2, textsEvaluated: 4, requested: 6 });
    await cp.predict(['bb', 'eeeee']);
    expect(batches.at(-1)).toEqual(['eeeee']);
    expect(cp.stats).toEqual({ forwardPasses: 3, textsEvaluated: 5, requested: 8 });
  });

  it('sorts by the length it is given, keeping the order of equal lengths', async () => {
    const { predict, batches } = counting();
    const tokens = new Map([['one two', 2], ['a', 3], ['zz', 1], ['b', 3]]);
    const cp = cachedPredict(predict, 2, (text) => tokens.get(text)!);
    await cp.predict(['one two', 'a', 'zz', 'b']);
    expect(batches).toEqual([['zz', 'one two'], ['a', 'b']]);
  });

  it('wrapping a cached predictor shares its cache but counts on its own', async () => {
    const { predict, batches } = counting();
    const outer = cachedPredict(predict, 8);
    outer.prime('primed', [0.5, 0.5]);
    await outer.predict(['x', 'yy']);
    const inner = cachedPredict(outer.predict, 8);
    const rows = await inner.predict(['x', 'yy', 'primed', 'zzz']);
    expect(rows[2]).toEqual([0.5, 0.5]);
    expect(batches).toEqual([['x', 'yy'], ['zzz']]);
    expect(inner.stats.forwardPasses).toBe(1);
    expect(inner.stats.textsEvaluated).toBe(1);
  });

  it('rejects a predictor that returns the wrong number of rows', async () => {
    const cp = cachedPredict(async () => [[1]], 4);
    await expect(cp.predict(['a', 'b'])).rejects.toThrow(/1 rows for 2 texts/);
  });
});

describe('seeded PRNG', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const xs = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draws integers uniformly and distinct indices without replacement', () => {
    const rng = createRng(1);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(1, 6) - 1]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    for (let i = 0; i < 200; i++) {
      const k = rng.int(0, 9);
      const s = rng.choose(9, k);
      expect(s).toHaveLength(k);
      expect(new Set(s).size).toBe(k);
      for (const j of s) expect(j >= 0 && j < 9).toBe(true);
    }
  });
});

describe('jsonSafe', () => {
  it('turns typed arrays into arrays and non-finite numbers into null', () => {
    const value = { a: new Float32Array([0.5, 1]), b: [NaN, Infinity, -0, 2], c: { d: undefined, e: 'x' } };
    const safe = jsonSafe(value);
    expect(safe).toEqual({ a: [0.5, 1], b: [null, null, 0, 2], c: { e: 'x' } });
    expect(JSON.parse(JSON.stringify(safe))).toEqual(safe);
  });
});
