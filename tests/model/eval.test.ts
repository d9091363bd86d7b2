import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { evaluate } from '../../training/eval';
import { DataFileError, parseCsv, readLabelledFile } from '@/lib/admin/labelled-file';
import { demoModel, tempDir } from './helpers';

describe('labelled files for evaluation', () => {
  const dir = tempDir('eval');
  const write = (name: string, content: string | Buffer) => {
    const p = path.join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  it('parses quoted CSV fields with commas, quotes and newlines', () => {
    expect(parseCsv('text,intent\n"a, ""b""\nc",x\r\nd,y\n')).toEqual([['text', 'intent'], ['a, "b"\nc', 'x'], ['d', 'y']]);
  });

  it('reads CR, LF and CRLF rows, skips blank lines, and keeps stray quotes as text', () => {
    expect(parseCsv('text,intent\rhi,greet\r\n\n\r\nbye,leave')).toEqual([['text', 'intent'], ['hi', 'greet'], ['bye', 'leave']]);
    expect(parseCsv('say "hi",greet\n"quoted" tail,x\n,\n')).toEqual([['say "hi"', 'greet'], ['quoted tail', 'x'], ['', '']]);
    expect(parseCsv('')).toEqual([]);
  });

  it('refuses a quoted field that never closes, naming its line', () => {
    expect(() => parseCsv('text,intent\nfine,x\n"open, then\nmore')).toThrowError(DataFileError);
    expect(() => parseCsv('text,intent\nfine,x\n"open, then\nmore')).toThrowError('starts on line 3 is never closed');
    expect(() => readLabelledFile(write('open.csv', 'text,intent\n"never closed,x\n'))).toThrowError(/open\.csv: the quoted field that starts on line 2/);
  });

  it('reads hostile CSV in linear time', () => {
    const size = 1_000_000;
    const cases = [
      '"'.repeat(size), // one field of doubled quotes
      ','.repeat(size), // one row of empty fields
      '\n'.repeat(size), // blank lines
      '"a",'.repeat(size / 4), // many quoted fields
      'x"'.repeat(size / 2), // quotes inside unquoted fields
    ];
    const started = performance.now();
    const rows = cases.map((content) => parseCsv(content));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(rows[0]).toEqual([['"'.repeat(size / 2 - 1)]]);
    expect(rows[1]![0]).toHaveLength(size + 1);
    expect(rows[2]).toEqual([]);
    expect(rows[3]![0]).toHaveLength(size / 4 + 1);
    expect(rows[4]).toEqual([['x"'.repeat(size / 2)]]);
  });

  it('reads CSV (intent or category) and JSONL', () => {
    expect(readLabelledFile(write('a.csv', 'text,category\nhi,greet\n'))).toEqual({ texts: ['hi'], labels: ['greet'] });
    expect(readLabelledFile(write('a.jsonl', '{"text":"hi","intent":"greet"}\n'))).toEqual({ texts: ['hi'], labels: ['greet'] });
  });

  it.each([
    ['missing column', 'b.csv', 'question,intent\nhi,greet\n', 'missing column "text"'],
    ['empty file', 'c.csv', '', 'the file is empty'],
    ['no rows', 'd.csv', 'text,intent\n', 'no labelled rows'],
    ['not UTF-8', 'e.csv', Buffer.from([0x74, 0x65, 0x78, 0x74, 0x2c, 0x69, 0x6e, 0x74, 0x65, 0x6e, 0x74, 0x0a, 0xe9, 0x2c, 0x78, 0x0a]), 'not valid UTF-8'],
    ['bad JSONL', 'f.jsonl', '{"text":"hi"\n', 'line 1 is not valid JSON'],
  ])('rejects %s with one clear sentence', (_name, file, content, message) => {
    expect(() => readLabelledFile(write(file, content))).toThrowError(DataFileError);
    expect(() => readLabelledFile(write(file, content))).toThrowError(message);
  });
});

describe('evaluate()', () => {
  it('scores the demo model on labelled data with out-of-scope rows', async () => {
    const dir = tempDir('eval2');
    const file = path.join(dir, 'sample.csv');
    writeFileSync(
      file,
      [
        'text,intent',
        'My card still has not arrived,card_arrival',
        'When will my new card be delivered?,card_arrival',
        'I forgot my PIN,passcode_forgotten',
        'what is the weather in Paris tomorrow?,oos',
        'tell me a joke,oos',
        'some intent the model never saw,not_a_model_label',
      ].join('\n'),
    );
    const r = await evaluate(demoModel, file, { batchSize: 4 });
    expect(r.rows).toBe(6);
    expect(r.scored).toBe(5);
    expect(r.skippedUnknownLabels).toEqual({ not_a_model_label: 1 });
    expect(r.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(r.macroF1).toBeGreaterThan(0.5);
    expect(r.ece).toBeGreaterThanOrEqual(0);
    expect(r.ece).toBeLessThan(1);
    expect(r.outOfScope!.rows).toBe(2);
    expect(r.outOfScope!.recall).toBe(1);
    expect(r.throughput.textsPerSecond).toBeGreaterThan(0);
  });
});
