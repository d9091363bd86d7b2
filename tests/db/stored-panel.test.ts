// The admin's stored panel, rendered from real stored explanations of every method: made by the
// explainers on the demo model as the browser's worker makes them, posted through the ingest
// handlers, read back as the admin's prediction page reads them, and rendered to HTML.
import path from 'node:path';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intentNames, labelOf as labelsFor } from '@/lib/admin/intents';
import { predictionDetail } from '@/lib/admin/predictions';
import { EXPLANATION_METHODS, explainAll, METHOD_LABELS, type Explanation, type ExplanationOfMethod } from '@/lib/explain';
import { respond } from '@/lib/http/errors';
import { ingestExplanations } from '@/lib/ingest/explanations';
import { ingestTurns } from '@/lib/ingest/turns';
import type { IntentModel } from '@/lib/model/model';
import { loadModelFromDir, readSimilarIndex } from '@/lib/model/node';
import { StoredExplanations } from '@/lib/ui/admin/stored-explanations';
import { StoredWhyPanel } from '@/lib/ui/admin/stored-why-panel';
import { formatNumber, formatScore } from '@/lib/ui/explain/format';
import { testProviders, withScratchDatabase } from '../support/databases';
import { classifiedTurn } from '../support/turns';

const DEMO_MODEL = path.resolve(import.meta.dirname, '../../public/models/banking77');
/** A message whose counterfactual the demo model finds (one word changes the answer). */
const TEXT = "My card still hasn't arrived, when will it come?";

let model: IntentModel;
beforeAll(async () => {
  model = await loadModelFromDir(DEMO_MODEL);
});
afterAll(async () => {
  await model?.dispose();
});

const post = (url: string, body: unknown) =>
  new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.9' }, body: JSON.stringify(body) });

/** The HTML of one method's entry in the stored objects list. */
function entryOf(html: string, method: string): string {
  const start = html.indexOf(`data-testid="admin-explanation-${method}"`);
  expect(start, `${method} is listed`).toBeGreaterThanOrEqual(0);
  const end = html.indexOf('data-testid="admin-explanation-', start + 1);
  return html.slice(start, end < 0 ? undefined : end);
}

const escaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');

describe.each(testProviders)('the admin panel of stored explanations on %s', (provider) => {
  withScratchDatabase(provider);

  it('shows the values of every method, as stored through the ingest', async () => {
    const labelOf = await labelsFor('banking77');
    const analysis = await model.analyse(TEXT);
    const similar = readSimilarIndex(DEMO_MODEL, model.labels);
    expect(similar, 'the demo model ships its similar-questions index').not.toBeNull();
    const turn = classifiedTurn({ text: TEXT, probabilities: analysis.probabilities });
    expect((await respond(() => ingestTurns(post('http://chat.example/api/turns', turn), () => {}))).status).toBe(201);
    // The runner-up as the intent to contrast with: every method runs.
    const versus = analysis.probabilities.indexOf(Math.max(...analysis.probabilities.filter((_, i) => i !== analysis.top)));
    const made = await explainAll(
      { text: TEXT, words: analysis.words, predict: model.predict, labels: model.labels, target: analysis.top, analysis, similar: (e, k) => similar!.search(e, k), versus },
      { ensembleMembers: 2, settings: { lime: { samples: 400, timeBudgetMs: null } } },
    );
    expect(made.map((e) => e.method).sort()).toEqual([...EXPLANATION_METHODS].sort());
    const id = turn.prediction.id;
    const response = await respond(() => ingestExplanations(post(`http://chat.example/api/predictions/${id}/explanations`, { explanations: made }), id));
    expect(await response.json()).toEqual({ stored: made.length, duplicates: 0 });

    // Read back as the admin's prediction page does, and rendered by the same components.
    const detail = await predictionDetail(id);
    const stored = detail.explanations as Explanation[];
    expect(stored.map((e) => e.method)).toEqual(['attention', 'rollout', 'occlusion', 'shap', 'lime', 'counterfactual', 'similar', 'contrast']);
    const of = <M extends Explanation['method']>(method: M) => stored.find((e): e is ExplanationOfMethod<M> => e.method === method)!;
    const list = renderToStaticMarkup(createElement(StoredExplanations, { explanations: detail.explanations, labelOf }));
    const panel = renderToStaticMarkup(
      createElement(StoredWhyPanel, {
        intentNames: await intentNames(detail.botId),
        explanations: detail.explanations,
        prediction: { intent: detail.intent, confidence: detail.confidence, topK: detail.topK },
        storedAt: '2026-01-02 03:04 UTC',
        backend: detail.backend,
      }),
    );
    expect(list).not.toContain('admin-unreadable-explanations');
    // A contrast's heading goes on with the other intent ("… versus Card arrival").
    for (const method of EXPLANATION_METHODS) expect(entryOf(list, method)).toContain(method === 'contrast' ? `>${METHOD_LABELS[method]} versus ` : `>${METHOD_LABELS[method]}<`);
    expect(panel).not.toContain('why-unreadable');

    // Word-scoring methods: every word's score, and the faithfulness figures.
    for (const method of ['attention', 'rollout', 'occlusion', 'shap', 'lime'] as const) {
      const explanation = of(method);
      const entry = entryOf(list, method);
      expect(explanation.scores).toHaveLength(explanation.words.length);
      explanation.words.forEach((word, i) => expect(entry).toContain(escaped(`${word.text}: ${formatScore(explanation.scores![i]!)}`)));
      expect(entry).toContain(`comprehensiveness ${formatNumber(explanation.faithfulness!.meanComprehensiveness, 3)}`);
      expect(entry).toContain(`deletion AUC ${formatNumber(explanation.faithfulness!.deletionAuc, 3)}`);
    }
    // The panel's technical details: LIME's score table and its surrogate fit, the attention
    // heatmaps, every word-scoring method's faithfulness.
    const lime = of('lime');
    lime.words.forEach((_, i) => expect(panel).toContain(formatScore(lime.scores![i]!)));
    expect(panel).toContain(`surrogate fit R² ${formatNumber(lime.extra.r2!)}`);
    expect(panel).toContain('data-testid="why-attention-heatmap"');
    expect(panel).not.toContain('why-attention-unreadable');
    for (const method of ['attention', 'rollout', 'occlusion', 'shap', 'lime']) expect(panel).toContain(`data-method="${method}"`);

    // The counterfactual: the words removed and the answer then.
    const counterfactual = of('counterfactual').extra;
    expect(counterfactual.found, 'the demo model changes its answer without some word').toBe(true);
    const change = entryOf(list, 'counterfactual');
    expect(change).toContain(escaped(counterfactual.removedWords!.join(' ')));
    expect(change).toContain(escaped(labelOf(counterfactual.newLabel!)));
    expect(change).toContain(`(${(counterfactual.newProbability! * 100).toFixed(0)} %)`);
    expect(panel).toContain(escaped(labelOf(counterfactual.newLabel!)));

    // Similar questions: each neighbour's text, label and similarity figure, in both views.
    const neighbours = of('similar').extra.neighbours!;
    expect(neighbours.length).toBeGreaterThan(0);
    const nearest = entryOf(list, 'similar');
    for (const neighbour of neighbours.slice(0, 5)) {
      expect(nearest).toContain(escaped(neighbour.text));
      expect(nearest).toContain(escaped(`(${labelOf(neighbour.label)}, ${formatNumber(neighbour.score)})`));
    }
    for (const neighbour of neighbours) expect(panel).toContain(`similarity ${formatNumber(neighbour.score)}`);
  });
});
