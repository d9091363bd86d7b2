// `npm run seed` with no --data: its questions ship with the model, so it runs in any checkout.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { contentHash } from '@/lib/model/versions';

const dir = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-seed-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function seed(databaseFile: string, args: string[]) {
  return spawnSync('npm', ['run', '--silent', 'seed', '--', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, DATABASE_URL: `file:${databaseFile}`, MODEL_STORE_DIR: path.join(dir, 'models') },
    encoding: 'utf8',
  });
}

describe('npm run seed', () => {
  it('seeds from the labelled questions shipped with the model by default', () => {
    const databaseFile = path.join(dir, 'default.db');
    const run = seed(databaseFile, ['--count', '40', '--explain', '2']);
    expect(run.stderr).not.toMatch(/Error|no such file/);
    const demoVersion = contentHash('public/models/banking77');
    expect(run.stdout).toMatch(new RegExp(`^Seeded 40 predictions in \\d+ conversations \\(2 explained, model version ${demoVersion.slice(0, 12)}\\)`, 'm'));
    expect(run.status).toBe(0);

    const shipped = new Set(
      (JSON.parse(readFileSync('public/models/banking77/similar-index.json', 'utf8')) as { texts: string[] }).texts.map((text) => text.toLowerCase().replace(/[?.!]+$/, '')),
    );
    const db = new Database(databaseFile, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM Prediction').get()).toEqual({ n: 40 });
      // They name the bot's active version, the bundled one stored on first use: the version they verify against.
      expect(db.prepare('SELECT DISTINCT modelVersion FROM Prediction').all()).toEqual([{ modelVersion: demoVersion }]);
      expect(db.prepare('SELECT botId, hash, source FROM ModelVersion').all()).toEqual([{ botId: 'banking77', hash: demoVersion, source: 'bundled' }]);
      const texts = (db.prepare("SELECT text FROM Message WHERE role = 'user'").all() as { text: string }[]).map(({ text }) => text);
      expect(texts).toHaveLength(40);
      // Visitors' variations aside (case, a greeting, the final mark), every question is a shipped one.
      const plain = (text: string) => text.toLowerCase().replace(/[?.!]+$/, '');
      const known = texts.filter((text) => shipped.has(plain(text)) || shipped.has(plain(text).replace(/^(hi, |hello |hey |hi there\. |excuse me, )/, '')));
      expect(known.length).toBe(40);
    } finally {
      db.close();
    }
  });

  it('names a missing --data file in one sentence', () => {
    const run = seed(path.join(dir, 'missing.db'), ['--count', '5', '--explain', '0', '--data', path.join(dir, 'nope.csv')]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(`--data ${path.join(dir, 'nope.csv')}: no such file.`);
  });
});
