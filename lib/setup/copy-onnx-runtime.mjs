// Copies onnxruntime-web's WebAssembly runtime into public/ort/<version>/ so the browser
// loads it from this app (never a CDN). The version in the path lets the files be cached
// as immutable. Run on install; the copies are not committed.
//
// Two builds are staged: the plain SIMD one (14 MB) for the WebAssembly backend and the
// asyncify one (27 MB) that WebGPU needs. Each also goes gzip-compressed (level 9, once,
// here) into gzip/, which next.config.mjs serves with `Content-Encoding: gzip`: compressing
// the runtime on the fly for every first visit cost the server more than a second.
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const gzipAsync = promisify(gzip);

/** The builds the inference worker loads (lib/chat/inference.worker.ts). */
export const RUNTIME_FILES = /^ort-wasm-simd-threaded(\.asyncify)?\.(mjs|wasm)$/;
/** Subfolder of public/ort/<version>/ with the gzip-compressed copies. */
export const COMPRESSED_FOLDER = 'gzip';

export async function onnxRuntimeVersion() {
  const manifest = JSON.parse(await readFile(path.join(root, 'node_modules/onnxruntime-web/package.json'), 'utf8'));
  return manifest.version;
}

export async function copyOnnxRuntime() {
  const source = path.join(root, 'node_modules/onnxruntime-web/dist');
  if (!existsSync(source)) throw new Error('onnxruntime-web is not installed: run npm install.');
  const version = await onnxRuntimeVersion();
  const publicDir = path.join(root, 'public/ort');
  const target = path.join(publicDir, version);
  // Old versions go, so public/ort never grows.
  if (existsSync(publicDir)) {
    for (const entry of await readdir(publicDir)) if (entry !== version) await rm(path.join(publicDir, entry), { recursive: true });
  }
  await rm(target, { recursive: true, force: true });
  await mkdir(path.join(target, COMPRESSED_FOLDER), { recursive: true });
  const files = (await readdir(source)).filter((name) => RUNTIME_FILES.test(name));
  for (const name of files) {
    await copyFile(path.join(source, name), path.join(target, name));
    const compressed = await gzipAsync(await readFile(path.join(source, name)), { level: constants.Z_BEST_COMPRESSION });
    await writeFile(path.join(target, COMPRESSED_FOLDER, name), compressed);
  }
  return { version, files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { version, files } = await copyOnnxRuntime();
  console.log(`onnxruntime-web ${version}: ${files.length} runtime files (and gzip copies) in public/ort/${version}/`);
}
