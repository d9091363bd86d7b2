// A tiny end-to-end training run through the real CLI (seconds, not minutes):
// data -> tokenizer -> pretrained init -> training -> calibration -> export ->
// Node parity, then the folder is loaded and used like the demo model.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { loadModelFromDir } from '../../lib/model/node';
import { runTrain, syntheticCsv, tempDir, tinyVectors } from './helpers';

const TINY = ['--hidden', '32', '--ff', '64', '--layers', '1', '--heads', '2', '--vocab-size', '300', '--epochs', '25', '--patience', '25', '--batch-size', '16', '--lr', '3e-3', '--quiet'];

describe('training pipeline (tiny configuration)', () => {
  it('trains, calibrates, exports (2-member ensemble, float16 weights) and verifies a model far above chance', async () => {
    const dir = tempDir('train');
    const data = path.join(dir, 'intents.csv');
    writeFileSync(data, syntheticCsv());
    const out = path.join(dir, 'model');
    const r = runTrain(['--data', data, '--out', out, '--vectors', tinyVectors(dir), '--seed', '7', '--test-frac', '0.2', '--val-frac', '0.2', '--members', '2', '--fp16', '--no-audit', ...TINY]);
    expect(r.stderr).toContain('parity:');
    expect(r.status).toBe(0);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'model-card.json', 'similar-index.json', 'similar-index.bin']) {
      expect(existsSync(path.join(out, f))).toBe(true);
    }
    const card = JSON.parse(readFileSync(path.join(out, 'model-card.json'), 'utf8'));
    expect(card.labels).toEqual(['balance', 'greeting', 'lost_card', 'transfer']);
    expect(card.metrics.accuracy).toBeGreaterThan(0.75); // chance is 0.25
    expect(card.export.parity.max_abs_diff).toBeLessThan(1e-4);
    expect(card.export.parity.token_ids_identical).toBe(true);
    expect(card.training.pretrained_vectors.tokens_with_word_vector).toBeGreaterThan(5);
    expect(card.training.data_sha256).toMatch(/^[0-9a-f]{64}$/);
    // Recorded because a run is reproducible only on the same thread count.
    expect(card.training.threads).toBe(Number(process.env.GLASSDESK_THREADS ?? 2));
    expect(card.temperature).toBeGreaterThan(0);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.ensemble_members).toBe(2);
    expect(config.output_names).toEqual(['logits', 'attention_0', 'attention_1', 'sentence_embedding']);

    const model = await loadModelFromDir(out);
    const [p] = await model.predict(['i lost my credit card']);
    expect(model.labels[p.indexOf(Math.max(...p))]).toBe('lost_card');
    const a = await model.analyse('send money to my friend');
    expect(a.attentions).toHaveLength(2);
    expect(a.embedding).toHaveLength(64);
    await model.dispose();
  }, 600_000); // a real two-member training run: minutes on a busy machine

  it.each([
    ['missing column', 'utterance,intent\nhi,a\nho,b\n', 'missing column "text"'],
    ['empty file', '', 'the file is empty'],
    ['one class', 'text,intent\nhi,a\nho,a\n', 'only one intent'],
  ])('fails with one clear sentence on a bad file: %s', (_name, content, message) => {
    const dir = tempDir('bad');
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, content);
    const r = runTrain(['--data', file, '--out', path.join(dir, 'out')]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });

  it('fails with one clear sentence on a file that is not UTF-8', () => {
    const dir = tempDir('bad');
    const file = path.join(dir, 'latin1.csv');
    writeFileSync(file, Buffer.from('text,intent\ncaf\xe9,a\nth\xe9,b\n', 'latin1'));
    const r = runTrain(['--data', file]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: .*not valid UTF-8.*\.$/);
  });
});
