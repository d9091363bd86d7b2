import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The demo bot's shipped model folder. */
export const DEMO_MODEL_DIR = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'banking77');

type Json = Record<string, unknown>;

/**
 * A copy of the demo model in `dir` whose card (and, if asked, config) `changeCard` edits: another
 * model version (another content hash) of the same weights. `audit: false` leaves the audit report out.
 */
export function demoModelVariant(dir: string, changeCard: (card: Json) => Json, options: { config?: (config: Json) => Json; audit?: boolean } = {}): string {
  cpSync(DEMO_MODEL_DIR, dir, { recursive: true, filter: (source) => options.audit !== false || path.basename(source) !== 'audit.json' });
  const edit = (file: string, how: (json: Json) => Json) => writeFileSync(path.join(dir, file), JSON.stringify(how(JSON.parse(readFileSync(path.join(dir, file), 'utf8')))));
  edit('model-card.json', changeCard);
  if (options.config) edit('config.json', options.config);
  return dir;
}
