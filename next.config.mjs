import { readFileSync } from 'node:fs';

// The ONNX runtime's version names the folder its files are served from (lib/setup/copy-onnx-runtime.mjs).
const onnxRuntimeVersion = JSON.parse(readFileSync(new URL('./node_modules/onnxruntime-web/package.json', import.meta.url), 'utf8')).version;

// Security headers shared by every response; the page CSP (with its nonce) is set in proxy.ts.
const securityHeaders = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'strict-origin-when-cross-origin'],
  ['X-Frame-Options', 'DENY'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  // With the opener policy this makes pages cross-origin isolated, which SharedArrayBuffer and so
  // onnxruntime-web's threads need; every resource is same-origin (CORP below), so nothing is blocked.
  ['Cross-Origin-Embedder-Policy', 'require-corp'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'],
].map(([key, value]) => ({ key, value }));

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  env: { NEXT_PUBLIC_ORT_VERSION: onnxRuntimeVersion },
  poweredByHeader: false,
  // Native and WebAssembly packages load from node_modules at run time, not from the bundle.
  serverExternalPackages: [
    'better-sqlite3',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    '@prisma/schema-engine-wasm',
    'onnxruntime-node',
    '@huggingface/transformers',
  ],
  // transformers.js loads onnxruntime-node with createRequire, which tracing does not follow: the
  // ingest route (server-side verification, lib/verify) ships the runtime for this platform and
  // the models it verifies with.
  outputFileTracingIncludes: {
    '/api/turns': [
      './node_modules/onnxruntime-node/{package.json,dist/**,lib/**}',
      `./node_modules/onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/**`,
      './node_modules/onnxruntime-common/**',
      './public/models/**',
    ],
    // Review labels and explanations are checked against the bot's model folder (lib/verify/bots.ts).
    '/api/admin/predictions/[id]/review': ['./public/models/**/*.json'],
    '/api/predictions/[id]/explanations': ['./public/models/**/*.json'],
    '/api/admin/predictions/[id]/contrasts': ['./public/models/**/*.json'],
  },
  // The audit report beside a model is for the admin's Model page, which reads it from disk itself.
  outputFileTracingExcludes: {
    '/api/turns': ['./public/models/**/audit.json'],
    '/api/admin/predictions/[id]/review': ['./public/models/**/audit.json'],
    '/api/predictions/[id]/explanations': ['./public/models/**/audit.json'],
    '/api/admin/predictions/[id]/contrasts': ['./public/models/**/audit.json'],
  },
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders },
      // API responses carry a CSP too: nothing they return may run or load anything.
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
      // Model files and the ONNX runtime are large and versioned by their folder: cache them.
      // The unversioned folders (public/models/<bot>/) may change with a build: cached for an hour.
      // A stored version's files (/models/<bot>/<hash>/…, lib/model/version-files.ts) never change:
      // their route sets its own Cache-Control (immutable when found, no-store when not), which a
      // header here would replace, so this one leaves versioned paths out.
      { source: '/models/:botId/:file((?![0-9a-f]{64}(?:/|$)).*)', headers: [{ key: 'Cache-Control', value: 'public, max-age=3600, stale-while-revalidate=86400' }] },
      { source: '/ort/:path*', headers: [{ key: 'Cache-Control', value: 'public, max-age=31536000, immutable' }] },
      // The runtime compressed once at install (lib/setup/copy-onnx-runtime.mjs): the bytes on
      // disk are gzip, and the browser decodes them (every browser accepts gzip). Setting the
      // encoding also stops the server from compressing them again.
      { source: '/ort/:version/gzip/:file*', headers: [{ key: 'Content-Encoding', value: 'gzip' }] },
    ];
  },
};

export default nextConfig;
