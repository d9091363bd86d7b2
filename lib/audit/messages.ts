// The labelled messages an audit is built from (Node): a labelled file (CSV or JSONL, as
// training takes it), or the questions the model folder ships with their intents (its
// similar-questions index), which every exported model has.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readLabelledFile } from '@/lib/admin/labelled-file';
import type { SimilarIndexMeta } from '@/lib/model/similar';
import type { AuditMessage } from './audit';

export function messagesFromFile(file: string): AuditMessage[] {
  const { texts, labels } = readLabelledFile(file);
  return texts.map((text, i) => ({ text, label: labels[i]! }));
}

/** The model folder's similar-questions index as labelled messages, or null when the folder has none. */
export function messagesFromIndex(dir: string, labels: readonly string[]): AuditMessage[] | null {
  const meta = path.join(dir, 'similar-index.json');
  if (!existsSync(meta)) return null;
  const index = JSON.parse(readFileSync(meta, 'utf8')) as Partial<SimilarIndexMeta>;
  if (!Array.isArray(index.texts) || !Array.isArray(index.labels)) throw new Error(`${meta}: not a similar-questions index (no texts and labels).`);
  const indexLabels = index.labels;
  return index.texts.flatMap((text, i) => {
    const label = labels[Number(indexLabels[i])];
    return typeof text === 'string' && text.trim() && label !== undefined ? [{ text, label }] : [];
  });
}
