// After `npm install` / `npm ci`: generate the Prisma clients and stage the ONNX runtime.
// Both work offline.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
execFileSync(process.execPath, [path.join(root, 'prisma/generate.mjs')], { stdio: 'inherit', cwd: root });
execFileSync(process.execPath, [path.join(root, 'lib/setup/copy-onnx-runtime.mjs')], { stdio: 'inherit', cwd: root });
