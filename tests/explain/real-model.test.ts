// The explainers on the real demo model, through lib/model as the worker and server run it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { explainAll, limeExplainer } from '@/lib/explain';
import type { Explanation } from '@/lib/explain/types';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir, readSimilarIndex } from '@/lib/model/node';
import { wordSpans } from '@/lib/model/spans';

const dir = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'banking77');
const QUESTIONS = ["My card still hasn't arrived, when will it come?", 'I was charged twice for the same coffee!'];

/** Ensemble members stacked in the attentions (config.json; 1 for a single model). */
const members = Number(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).ensemble_members ?? 1);

let model: IntentModel;
let similar: ReturnType<typeof readSimilarIndex> = null;

// The demo model is committed: these run always, and fail if it goes missing.
describe('explainAll on the demo model (public/models/banking77)', () => {
  beforeAll(async () => {
    model = await loadModelFromDir(dir);
    similar = readSimilarIndex(dir, model.labels);
  });
  afterAll(async () => {
    await model?.dispose();
  });

  it.each(QUESTIONS)('explains %j with every method, on the typed words, as plain JSON', async (text) => {
    const analysis = await model.analyse(text);
    const words = wordSpans(text, model.locale);
    const progress: string[] = [];
    const all: Explanation[] = await explainAll(
      {
        text,
        words,
        predict: model.predict,
        labels: model.labels,
        target: analysis.top,
        analysis,
        similar: similar ? (e, k) => similar!.search(e, k) : undefined,
      },
      { ensembleMembers: members },
      (done, total, method) => progress.push(`${done}/${total} ${method}`),
    );
    const methods = ['attention', 'rollout', 'occlusion', 'counterfactual', ...(similar ? ['similar'] : []), 'shap', 'lime'];
    expect(all.map((e) => e.method)).toEqual(methods);
    expect(progress.at(-1)).toBe(`${methods.length}/${methods.length} ${methods.at(-1)}`);
    expect(JSON.parse(JSON.stringify(all))).toEqual(all);

    for (const e of all) {
      expect(e.words).toEqual(words);
      expect(e.target.index).toBe(analysis.top);
      expect(e.target.label).toBe(model.labels[analysis.top]);
      expect(e.target.probability).toBeCloseTo(analysis.probabilities[analysis.top], 4);
      if (['attention', 'rollout', 'occlusion', 'shap', 'lime'].includes(e.method)) {
        expect(e.scores).toHaveLength(words.length);
        for (const s of e.scores!) expect(Number.isFinite(s)).toBe(true);
        const f = e.faithfulness!;
        expect(f.comprehensiveness.map((c) => c.k)).toEqual(['1', '2', '3', '20%']);
        expect(f.deletionAuc).toBeGreaterThanOrEqual(0);
        expect(f.deletionAuc).toBeLessThanOrEqual(1);
      } else {
        expect(e.scores).toBeNull();
      }
    }

    const byMethod = Object.fromEntries(all.map((e) => [e.method, e]));
    const att = byMethod.attention.extra as { layers: number; heads: number; tokens: string[]; matrices: number[][][][]; wordCls: number[][][] };
    expect(att.layers).toBe(analysis.attentions.length);
    expect(att.layers % members).toBe(0);
    expect(byMethod.attention.settings).toMatchObject({ members });
    expect(byMethod.rollout.settings).toMatchObject({ members, residual: 0.5 });
    expect(att.matrices).toHaveLength(att.layers);
    for (const layer of att.matrices) {
      expect(layer).toHaveLength(att.heads);
      for (const head of layer) {
        expect(head).toHaveLength(att.tokens.length);
        for (const row of head) expect(Math.abs(row.reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-4);
      }
    }
    for (const layer of att.wordCls) for (const head of layer) expect(head.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);
    expect(byMethod.rollout.scores!.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 6);

    const lime = byMethod.lime.extra as { samples: number; r2: number; distinctTexts: number };
    expect(lime.samples).toBeGreaterThan(100);
    expect(lime.distinctTexts).toBeLessThanOrEqual(lime.samples);
    expect(lime.r2).toBeGreaterThan(0);
    expect(lime.r2).toBeLessThanOrEqual(1);

    const occ = byMethod.occlusion.extra as { baseline: number; without: number[] };
    expect(occ.without).toHaveLength(words.length);

    const cf = byMethod.counterfactual.extra as { found: boolean; removed: number[]; text: string; newIndex: number };
    if (cf.found) {
      expect(cf.newIndex).not.toBe(analysis.top);
      const [p] = await model.predict([cf.text]);
      expect(p.indexOf(Math.max(...p))).toBe(cf.newIndex);
    }
    if (similar) {
      const nb = (byMethod.similar.extra as { neighbours: { text: string; label: string; score: number }[] }).neighbours;
      expect(nb).toHaveLength(5);
      expect(nb[0].score).toBeGreaterThanOrEqual(nb[4].score);
    }
  });

  it('LIME sends its perturbations shortest first in tokens, so a batch is padded little', async () => {
    const text = QUESTIONS[0];
    const analysis = await model.analyse(text);
    const batches: string[][] = [];
    const predict = async (texts: string[]) => {
      batches.push(texts);
      return model.predict(texts);
    };
    const input = { text, words: analysis.words, predict, labels: model.labels, target: analysis.top, analysis };
    const e = await limeExplainer.explain(input, { samples: 300, seed: 3, batchSize: 16, timeBudgetMs: null });
    const tokens = batches.flat().map((t) => model.tokenizer.encode(t).length);
    expect(tokens.length).toBe(e.extra.distinctTexts);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(batches.every((b) => b.length <= 16)).toBe(true);
  });

  it('the most important LIME word is one a reader would name', async () => {
    const text = QUESTIONS[0];
    const analysis = await model.analyse(text);
    expect(model.labels[analysis.top]).toBe('card_arrival');
    const [lime] = await explainAll(
      { text, words: analysis.words, predict: model.predict, labels: model.labels, target: analysis.top, analysis },
      { methods: ['lime'], faithfulness: false },
    );
    const words = analysis.words.map((w) => w.text.toLowerCase().replace(/[^a-z']/g, ''));
    const top3 = lime.scores!.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([, i]) => words[i]);
    expect(top3.some((w) => ['card', 'arrived', "hasn't"].includes(w))).toBe(true);
  });
});
