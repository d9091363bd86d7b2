import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainingCsvHeader, trainingCsvLine } from '@/lib/admin/export';
import { readLabelledFile } from '@/lib/admin/labelled-file';

describe('the training export read back by the training tools', () => {
  it('gives the texts as typed, formula guard undone', () => {
    const rows = [
      { text: '=HYPERLINK("http://x","y")', intent: 'card_arrival' },
      { text: '+1 charge, why?', intent: 'extra_charge_on_statement' },
      { text: "'quoted' already", intent: 'card_arrival' },
      { text: ' spaced ', intent: 'change_pin' },
    ];
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'training-export-')), 'export.csv');
    writeFileSync(file, trainingCsvHeader() + rows.map(trainingCsvLine).join(''));
    const read = readLabelledFile(file);
    expect(read.texts).toEqual(rows.map((r) => r.text));
    expect(read.labels).toEqual(rows.map((r) => r.intent));
  });
});
