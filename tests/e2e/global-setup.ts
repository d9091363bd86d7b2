import { rmSync } from 'node:fs';
import path from 'node:path';

// Each run starts from an empty database; the server migrates it on start.
export default function globalSetup() {
  rmSync(path.join(import.meta.dirname, '../../.cache/e2e'), { recursive: true, force: true });
}
