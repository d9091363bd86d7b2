// The committed demo model, run through lib/model exactly as the server runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { IntentModel } from '../../lib/model/model';
import { loadModelFromDir, readSimilarIndex } from '../../lib/model/node';
import { demoModel } from './helpers';

let model: IntentModel;

beforeAll(async () => {
  model = await loadModelFromDir(demoModel);
});
afterAll(async () => {
  await model?.dispose();
});

describe('demo model (public/models/banking77)', () => {
  it('has the files transformers.js needs and stays within the download budget', () => {
    const config = JSON.parse(readFileSync(path.join(demoModel, 'config.json'), 'utf8'));
    expect(config.model_type).toBe('bert');
    expect(config['transformers.js_config']).toEqual({ dtype: 'fp32' });
    const card = JSON.parse(readFileSync(path.join(demoModel, 'model-card.json'), 'utf8'));
    const files = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'model-card.json', 'similar-index.json', 'similar-index.bin'];
    const bytes = files.reduce((s, f) => s + statSync(path.join(demoModel, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(5_000_000);
    expect(card.export.parity.max_abs_diff).toBeLessThan(1e-4);
    expect(card.metrics.accuracy).toBeGreaterThan(0.85);
  });

  it('knows its labels, temperature and thresholds from the card', () => {
    expect(model.labels).toContain('card_arrival');
    expect(model.labels).toContain('oos');
    expect(model.card?.outOfScopeLabel).toBe('oos');
    expect(model.temperature).toBeGreaterThan(0);
    expect(model.card!.thresholds.outOfScope).toBeGreaterThanOrEqual(0);
  });

  it('predicts batched probabilities that sum to 1 and get easy questions right', async () => {
    const texts = ['My card still has not arrived, when will it come?', 'I forgot my PIN', 'what is the weather like in Paris tomorrow?'];
    const probs = await model.predict(texts);
    expect(probs).toHaveLength(3);
    for (const row of probs) {
      expect(row).toHaveLength(model.labels.length);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    const top = probs.map((p) => model.labels[p.indexOf(Math.max(...p))]);
    expect(top[0]).toBe('card_arrival');
    expect(top[2]).toBe('oos');
  });

  it('batched and single predictions agree (padding does not leak)', async () => {
    const texts = ['hi', 'I was charged twice for the same payment at a shop yesterday, can you refund it?'];
    const batched = await model.predict(texts);
    const single = await model.predict([texts[0]]);
    single[0].forEach((p, i) => expect(p).toBeCloseTo(batched[0][i], 5));
  });

  it('analyses one text: attentions, embedding and tokens mapped to typed words', async () => {
    const text = "Why can't I use my Cárd abroad?";
    const a = await model.analyse(text);
    // Word units in the card's language: the question mark is not a word, and its token belongs to none.
    expect(a.words.map((w) => w.text)).toEqual(['Why', "can't", 'I', 'use', 'my', 'Cárd', 'abroad']);
    const n = a.tokens.length;
    expect(a.tokens[0].token).toBe('[CLS]');
    expect(a.tokens[n - 1].token).toBe('[SEP]');
    expect(a.tokens[n - 2]).toMatchObject({ token: '?', word: null, wordShares: [], span: { start: text.length - 1, end: text.length } });
    for (const t of a.tokens.filter((t) => !t.special && t.token !== '?')) {
      expect(t.word).not.toBeNull();
      expect(a.words[t.word!].start).toBeLessThanOrEqual(t.span!.start);
      expect(a.words[t.word!].end).toBeGreaterThanOrEqual(t.span!.end);
    }
    const cardTok = a.tokens.find((t) => t.token.startsWith('card'));
    expect(cardTok && text.slice(cardTok.span!.start, cardTok.span!.end)).toBe('Cárd');
    expect(a.attentions.length).toBeGreaterThanOrEqual(1);
    for (const layer of a.attentions) {
      for (const head of layer) {
        expect(head).toHaveLength(n);
        for (const row of head) {
          expect(row).toHaveLength(n);
          expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
        }
      }
    }
    const config = JSON.parse(readFileSync(path.join(demoModel, 'config.json'), 'utf8'));
    expect(a.embedding.length).toBe(config.sentence_embedding_size ?? config.hidden_size);
    expect(a.attentions.length).toBe(config.num_hidden_layers);
    expect(a.probabilities.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
    expect(a.top).toBe(a.probabilities.indexOf(Math.max(...a.probabilities)));
    expect(a.truncated).toBe(false);
  });

  it('truncates over-long input instead of crashing', async () => {
    const text = 'my card was declined at the shop again '.repeat(40);
    const a = await model.analyse(text);
    expect(a.truncated).toBe(true);
    expect(a.tokens.length).toBe(model.maxLength);
    expect(a.tokens.at(-1)!.word).not.toBeNull();
    expect(model.labels[a.top]).toBe('declined_card_payment');
  });

  it('finds similar training questions with the same intent', async () => {
    const index = readSimilarIndex(demoModel, model.labels)!;
    expect(index.size).toBeGreaterThan(500);
    const a = await model.analyse('I still have not received my new card');
    const hits = index.search(a.embedding, 5);
    expect(hits).toHaveLength(5);
    expect(hits[0].score).toBeGreaterThan(hits[4].score - 1e-9);
    expect(hits[0].score).toBeLessThanOrEqual(1.01);
    expect(hits.filter((h) => h.label === 'card_arrival').length).toBeGreaterThanOrEqual(3);
  });
});
