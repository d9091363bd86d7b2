// Reads labelled utterances for the eval CLI: CSV with `text` and `intent`
// (or `category`/`label`) columns, or JSONL with the same keys. Node-only.
import { readFileSync } from 'node:fs';

export interface Labelled {
  texts: string[];
  labels: string[];
}

export class DataFileError extends Error {}

/** RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes. */
export function parseCsv(content: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (quoted) {
      if (c === '"') {
        if (content[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && content[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

/**
 * CSV exports put an apostrophe before a cell that a spreadsheet would run as a formula
 * (lib/admin/export.ts); the text as typed is the cell without it.
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
    const [header, ...rows] = parseCsv(content);
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
