// The list of explainer descriptors is the one place a method is registered: everything the app
// derives from it (record schema, fitting, string-field classes, panel order, names, the UI's
// parse and the generic word view) takes a new method from one file and one line in the list.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MASK, redact } from '@/lib/bot/redact';
import {
  applicableMethodsOf,
  EXPLAINERS,
  EXPLANATION_METHODS,
  inPanelOrder,
  labelsOf,
  methodsOf,
  panelOrderOf,
  PANEL_ORDER,
  WORD_SCORING_METHODS,
  wordScoringMethodsOf,
  wordViewOrderOf,
  type ExplainInput,
} from '@/lib/explain';
import { EXPLANATION_STRING_FIELDS, explanationStringFieldsFor, fitterFor } from '@/lib/ingest/fit-explanation';
import { wordSpans } from '@/lib/model/spans';
import { explanationSchema, explanationSchemaFor, explanationsRecordSchemaFor } from '@/lib/records/explanation';
import { readExplanations, readExplanationsWith } from '@/lib/ui/explain/parse';
import { WordEvidence } from '@/lib/ui/explain/word-evidence';
import { formatScore } from '@/lib/ui/explain/format';
import { bundledFacts } from '../support/turns';
import { firstWordExplainer, WITH_FIRST_WORD } from '../explain/support/first-word';

const CARD = '4111 1111 1111 1111';
const text = `${CARD} never arrived`;
const stored = redact(text).text;
const words = wordSpans(text, 'en');
const bot = bundledFacts();

const input: ExplainInput = { text, words, predict: async (texts) => texts.map(() => [0.5, 0.5]), labels: ['card_arrival', 'card_delivery_estimate'], target: 0 };

describe("the app's list of explainers", () => {
  it('derives the method names, the word-scoring methods and the panel order from the descriptors', () => {
    expect(EXPLANATION_METHODS).toEqual(['attention', 'rollout', 'occlusion', 'counterfactual', 'similar', 'contrast', 'shap', 'lime']);
    expect(WORD_SCORING_METHODS).toEqual(['attention', 'rollout', 'occlusion', 'shap', 'lime']);
    expect(PANEL_ORDER).toEqual(['attention', 'rollout', 'occlusion', 'shap', 'lime', 'counterfactual', 'similar', 'contrast']);
    expect(wordViewOrderOf(EXPLAINERS).map((d) => d.method)).toEqual(['lime', 'occlusion', 'attention', 'rollout', 'shap']);
    expect(labelsOf(EXPLAINERS)).toEqual({
      attention: 'Attention',
      rollout: 'Attention rollout',
      occlusion: 'Occlusion',
      counterfactual: 'Counterfactual',
      similar: 'Similar questions',
      contrast: 'Why this, not that',
      shap: 'SHAP',
      lime: 'LIME',
    });
  });

  it('runs a method only where the input has what its descriptor says it needs', () => {
    expect(applicableMethodsOf(EXPLAINERS, input)).toEqual(['occlusion', 'counterfactual', 'shap', 'lime']);
    const analysis = { text } as ExplainInput['analysis'];
    expect(applicableMethodsOf(EXPLAINERS, { ...input, analysis })).toEqual(['attention', 'rollout', 'occlusion', 'counterfactual', 'shap', 'lime']);
    expect(applicableMethodsOf(EXPLAINERS, { ...input, analysis, similar: () => [] })).toEqual(EXPLANATION_METHODS.filter((m) => m !== 'contrast'));
    expect(applicableMethodsOf(EXPLAINERS, { ...input, analysis, similar: () => [], versus: 1 })).toEqual(EXPLANATION_METHODS);
  });

  it('refuses a list that names a method twice', () => {
    expect(() => methodsOf([...EXPLAINERS, firstWordExplainer, firstWordExplainer])).toThrow(/names a method twice/);
    expect(() => explanationSchemaFor([])).toThrow(/at least one/);
  });
});

describe('a method added by one file and one line in the list', () => {
  const list = WITH_FIRST_WORD;

  it('is in the method names, the word-scoring methods, the panel order and the names', async () => {
    expect(methodsOf(list)).toEqual([...EXPLANATION_METHODS, 'first-word']);
    expect(wordScoringMethodsOf(list)).toEqual([...WORD_SCORING_METHODS, 'first-word']);
    expect(panelOrderOf(list)).toEqual(['attention', 'rollout', 'occlusion', 'shap', 'lime', 'first-word', 'counterfactual', 'similar', 'contrast']);
    expect(inPanelOrder([{ method: 'similar' }, { method: 'first-word' }, { method: 'attention' }], list).map((row) => row.method)).toEqual(['attention', 'first-word', 'similar']);
    expect(labelsOf(list)['first-word']).toBe('First word');
    expect(applicableMethodsOf(list, input)).toContain('first-word');
    expect(wordViewOrderOf(list).at(-1)).toBe(firstWordExplainer);
  });

  it('is accepted by the record schema built from the list, and refused by the one built without it', async () => {
    const made = await firstWordExplainer.explain(input);
    expect(explanationSchemaFor(list).safeParse(made).success).toBe(true);
    expect(explanationsRecordSchemaFor(list).safeParse({ explanations: [made] }).success).toBe(true);
    expect(explanationSchema.safeParse(made).success).toBe(false);
    // Its schemas hold: a field of the wrong type is refused, unknown keys are dropped.
    expect(explanationSchemaFor(list).safeParse({ ...made, extra: { firstWord: 4 } }).success).toBe(false);
    const parsed = explanationSchemaFor(list).parse({ ...made, extra: { ...made.extra, note: 'call me' } });
    expect(parsed.extra).toEqual({ firstWord: '4111' });
  });

  it('classifies its string fields for storage, and is fitted by its own hook: its visitor text is derived from the stored message', async () => {
    expect(explanationStringFieldsFor(list)).toEqual({ ...EXPLANATION_STRING_FIELDS, 'extra.firstWord': 'derived' });
    expect(EXPLANATION_STRING_FIELDS).not.toHaveProperty(['extra.firstWord']);
    const posted = explanationSchemaFor(list).parse(await firstWordExplainer.explain(input));
    expect(posted.method === 'first-word' && posted.extra.firstWord).toBe('4111');
    const fit = fitterFor(list)(posted, stored, bot);
    if (!fit.ok) throw new Error(fit.problem);
    expect(fit.explanation.method).toBe('first-word');
    expect(fit.explanation.method === 'first-word' && fit.explanation.extra.firstWord).toBe(MASK.repeat(4));
    expect(JSON.stringify(fit.explanation)).not.toContain('4111');
    // The shared checks run before the hook: words must be the stored message's, the target the model's.
    expect(fitterFor(list)({ ...posted, words: posted.words.slice(1) }, stored, bot)).toMatchObject({ ok: false, problem: expect.stringMatching(/^words:/) });
    expect(fitterFor(list)({ ...posted, target: { ...posted.target, label: 'no_such_intent' } }, stored, bot)).toMatchObject({ ok: false, problem: expect.stringContaining('target.label') });
    // A list without the method cannot fit it.
    expect(fitterFor(EXPLAINERS)(posted as never, stored, bot)).toMatchObject({ ok: false, problem: 'method "first-word" is not an explanation method' });
  });

  it('is read by the UI parser with its own schemas, and its scores render in the generic word view', async () => {
    const made = await firstWordExplainer.explain(input, { weight: 0.75 });
    const withIt = readExplanationsWith(list, [made]);
    expect(withIt.unreadable).toEqual([]);
    const [read] = withIt.read;
    expect(read?.explanation).toEqual(made);
    expect(readExplanations([made]).unreadable).toEqual([{ method: 'first-word', reason: expect.stringContaining('method') }]);

    const methods = wordViewOrderOf(list).map((descriptor) => ({ descriptor, explanation: withIt.read.find((entry) => entry.explanation.method === descriptor.method)?.explanation }));
    const html = renderToStaticMarkup(createElement(WordEvidence, { methods: methods.filter((entry) => entry.explanation), computing: false }));
    expect(html).toContain('data-testid="why-method-first-word"');
    expect(html).toContain('>First<');
    expect(html).toContain('Only the first word counts.');
    expect(html).toContain('First word score of each word.');
    made.words.forEach((word, i) => expect(html).toContain(`${word.text}: ${formatScore(made.scores![i]!)}`));
    expect(html).toContain(formatScore(0.75));
    // Every other word-scoring method is offered beside it, pending until it has scores.
    const all = renderToStaticMarkup(createElement(WordEvidence, { methods, computing: true }));
    for (const method of wordScoringMethodsOf(list)) expect(all).toContain(`data-testid="why-method-${method}"`);
  });
});
