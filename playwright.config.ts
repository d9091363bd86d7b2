import path from 'node:path';
import { defineConfig } from '@playwright/test';

// End-to-end tests run the production build in Debian's Chromium. Its software WebGPU
// adapter (SwiftShader) is enabled, so the WebGPU path is tested for real.
const port = Number(process.env.E2E_PORT ?? 3210);
// A fresh database per run; workers inherit the runner's environment, so they read the same file.
process.env.E2E_DATABASE_FILE ??= path.join(import.meta.dirname, '.cache/e2e', `run-${Date.now()}`, 'glassdesk-e2e.db');
export const e2eDatabaseFile = process.env.E2E_DATABASE_FILE;

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--enable-unsafe-webgpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
    // The shell again on a phone-sized touch screen; the model-heavy specs run once.
    { name: 'phone', testMatch: /chat-shell\.spec\.ts/, use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  ],
  webServer: {
    // What users run: `npm start` builds when the sources changed since the last build, then serves it.
    // First the Chinese fixture model (tests/e2e/chinese.spec.ts) is trained if missing or stale:
    // the build serves only the public/ files there when it is made. Should that fail (no Python
    // with torch), the server starts all the same and only the Chinese spec fails, saying why.
    // Then the two candidate models tests/e2e/model-versions.spec.ts registers and replays
    // (tests/support/candidate-models.mjs; outside public/, so the build does not depend on them).
    command: `node tests/support/zh-fixture-model.mjs; node tests/support/candidate-models.mjs; node lib/setup/start.mjs -p ${port} -H 127.0.0.1`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: { DATABASE_URL: `file:${e2eDatabaseFile}`, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ADMIN_EMAIL: 'e2e-admin@example.com', ADMIN_PASSWORD: 'e2e admin password, not secret' },
  },
});
