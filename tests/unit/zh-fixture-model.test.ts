// When the Chinese fixture model is trained again: only when it is missing, unstamped, or made
// from other fixtures, pipeline sources or settings than those there now.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

import { zhFixtureHash, zhFixtureModelState } from '../support/zh-fixture-model.mjs';

function modelFolder(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'glassdesk-zh-stamp-')), 'bank-zh');
  mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  writeFileSync(path.join(dir, 'model-card.json'), '{}');
  writeFileSync(path.join(dir, 'onnx', 'model.onnx'), '');
  return dir;
}

describe('the Chinese fixture model stamp', () => {
  it('is a hash of the fixtures, the pipeline sources and the settings', () => {
    expect(zhFixtureHash()).toMatch(/^[0-9a-f]{64}$/);
    expect(zhFixtureHash()).toBe(zhFixtureHash());
  });

  it('asks for training when the folder is missing, unstamped or stale, and not when current', () => {
    const empty = path.join(mkdtempSync(path.join(tmpdir(), 'glassdesk-zh-stamp-')), 'bank-zh');
    expect(zhFixtureModelState(empty)).toEqual({ current: false, reason: 'it is not trained yet' });

    const dir = modelFolder();
    expect(zhFixtureModelState(dir)).toEqual({ current: false, reason: 'the folder does not record what it was trained from' });

    writeFileSync(path.join(dir, 'fixture-stamp.json'), 'not json');
    expect(zhFixtureModelState(dir)).toEqual({ current: false, reason: 'its stamp is unreadable' });

    writeFileSync(path.join(dir, 'fixture-stamp.json'), JSON.stringify({ hash: '0'.repeat(64) }));
    expect(zhFixtureModelState(dir)).toEqual({ current: false, reason: 'the fixtures or the pipeline changed since it was trained' });

    writeFileSync(path.join(dir, 'fixture-stamp.json'), JSON.stringify({ hash: zhFixtureHash() }));
    expect(zhFixtureModelState(dir)).toEqual({ current: true, reason: 'it is current' });

    // A folder without its model is not current, whatever its stamp says.
    const copy = path.join(path.dirname(dir), 'copy');
    cpSync(dir, copy, { recursive: true });
    rmSync(path.join(copy, 'onnx', 'model.onnx'));
    expect(zhFixtureModelState(copy)).toEqual({ current: false, reason: 'it is not trained yet' });
  });
});
