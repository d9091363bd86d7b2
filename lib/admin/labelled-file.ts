// Labelled utterances, as the training pipeline takes them (training/README.md, "Input") and the
// admin's training export writes them: CSV with `text` and `intent` (or `category`/`label`)
// columns, or JSONL objects with the same keys. Read by the eval CLI (training/eval.ts) and the
// seed (lib/admin/seed.ts). Node-only.
import { readFileSync } from 'node:fs';

export interface Labelled {
  texts: string[];
  labels: string[];
}

export class DataFileError extends Error {}

/**
 * RFC 4180 CSV: quoted fields, doubled quotes, line breaks inside quotes; CRLF, LF or CR ends a
 * row and blank lines are skipped. Lenient where the RFC is strict: a quote inside an unquoted
 * field, or text after a closing quote, is kept as it is. A quoted field that never closes is
 * refused. One pass over the text, each character looked at a bounded number of times, so the
 * time is linear whatever the input.
 */
export function parseCsv(content: string): string[][] {
  const rows: string[][] = [];
  const delimiter = /[,\r\n]/g;
  let row: string[] = [];
  let at = 0;
  for (;;) {
    let field = '';
    if (content.charCodeAt(at) === 34 /* " */) {
      const opened = at;
      const pieces: string[] = [];
      let from = at + 1;
      for (;;) {
        const quote = content.indexOf('"', from);
        if (quote < 0) throw new DataFileError(`the quoted field that starts on line ${lineOf(content, opened)} is never closed.`);
        pieces.push(content.slice(from, quote));
        if (content.charCodeAt(quote + 1) === 34) {
          pieces.push('"');
          from = quote + 2;
        } else {
          at = quote + 1;
          break;
        }
      }
      field = pieces.join('');
    }
    delimiter.lastIndex = at;
    const found = delimiter.exec(content);
    const end = found ? found.index : content.length;
    row.push(field + content.slice(at, end));
    const rowEnds = !found || found[0] !== ',';
    // A blank line is no row.
    if (rowEnds && (row.length > 1 || row[0] !== '')) rows.push(row);
    if (!found) return rows;
    at = end + 1;
    if (rowEnds) {
      row = [];
      if (found[0] === '\r' && content.charCodeAt(at) === 10 /* \n */) at++;
    }
  }
}

function lineOf(content: string, index: number): number {
  let line = 1;
  for (let i = content.indexOf('\n'); i >= 0 && i < index; i = content.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * CSV exports put an apostrophe before a cell that a spreadsheet would run as a formula
 * (`csvField` in lib/admin/export.ts); the text as typed is the cell without it.
 */
export const undoFormulaGuard = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

export function readLabelledFile(file: string): Labelled {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch {
    throw new DataFileError(`${file}: file not found.`);
  }
  let content: string;
  try {
    content = new TextDecoder('utf-8', { fatal: true }).decode(raw).replace(/^\uFEFF/, '');
  } catch {
    throw new DataFileError(`${file}: not valid UTF-8; save the file as UTF-8.`);
  }
  if (!content.trim()) throw new DataFileError(`${file}: the file is empty.`);
  const texts: string[] = [];
  const labels: string[] = [];
  if (/\.(jsonl|ndjson)$/.test(file)) {
    content.split(/\r?\n/).forEach((line, n) => {
      if (!line.trim()) return;
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line);
      } catch {
        throw new DataFileError(`${file}: line ${n + 1} is not valid JSON.`);
      }
      const label = row.intent ?? row.category ?? row.label;
      if (typeof row.text !== 'string' || label === undefined) throw new DataFileError(`${file}: line ${n + 1} needs "text" and "intent" fields.`);
      texts.push(row.text);
      labels.push(String(label).trim());
    });
  } else {
    let parsed: string[][];
    try {
      parsed = parseCsv(content);
    } catch (error) {
      throw error instanceof DataFileError ? new DataFileError(`${file}: ${error.message}`) : error;
    }
    const [header = [], ...rows] = parsed;
    const cols = header.map((h) => h.trim());
    const t = cols.indexOf('text');
    const l = ['intent', 'category', 'label'].map((c) => cols.indexOf(c)).find((i) => i >= 0) ?? -1;
    if (t < 0) throw new DataFileError(`${file}: missing column "text" (found: ${cols.join(', ')}).`);
    if (l < 0) throw new DataFileError(`${file}: missing column "intent" (or "category"); found: ${cols.join(', ')}.`);
    for (const r of rows) {
      if (r[t]?.trim() && r[l]?.trim()) {
        texts.push(undoFormulaGuard(r[t]));
        labels.push(undoFormulaGuard(r[l].trim()));
      }
    }
  }
  if (texts.length === 0) throw new DataFileError(`${file}: no labelled rows (need non-empty text and intent).`);
  return { texts, labels };
}
