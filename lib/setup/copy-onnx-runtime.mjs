// Copies onnxruntime-web's WebAssembly runtime into public/ort/<version>/ so the browser
// loads it from this app (never a CDN). The version in the path lets the files be cached
// as immutable. Run on install; the copies are not committed.
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

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
  await mkdir(target, { recursive: true });
  const files = (await readdir(source)).filter((name) => /^ort-wasm-simd-threaded.*\.(mjs|wasm)$/.test(name));
  await Promise.all(files.map((name) => copyFile(path.join(source, name), path.join(target, name))));
  return { version, files };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { version, files } = await copyOnnxRuntime();
  console.log(`onnxruntime-web ${version}: ${files.length} runtime files in public/ort/${version}/`);
}
