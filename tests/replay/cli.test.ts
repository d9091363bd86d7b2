// `npm run replay` end to end: a database whose bot serves fixture model A, a few stored
// customer messages, and fixture model B's folder as the candidate. The command registers B,
// replays, prints, writes and stores the report; a folder or bot it cannot use stops it with
// one sentence and exit code 2.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestReplay } from '@/lib/db/queries/replays';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { activeVersion, contentHash, modelChanges } from '@/lib/model/versions';
import { replayReportSchema } from '@/lib/replay/report';
import { candidateModelDirs, CANDIDATE_BOT } from '../support/candidate-models.mjs';
import { withScratchDatabase } from '../support/databases';
import { classifiedTurn } from '../support/turns';

const BOT = CANDIDATE_BOT;
const TEXTS = ['when will my card arrive', 'why was i charged a fee for my card payment', 'i lost my card', 'fee for card payment', 'my top up failed', 'hello'];

describe('npm run replay', () => {
  const database = withScratchDatabase('sqlite');
  let scratch: string;
  let store: string;
  let dirs: { a: string; b: string };

  beforeAll(async () => {
    dirs = candidateModelDirs({ log: () => {} });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-replay-cli-'));
    store = path.join(scratch, 'models');
    await activeVersion(BOT, { store, bundledDir: dirs.a });
    const conversationId = randomUUID();
    for (const [i, text] of TEXTS.entries()) await storeTurnRecord(classifiedTurn({ conversationId, seq: 2 * i, text, botId: BOT }));
  }, 600_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  function replayCli(args: string[]) {
    return spawnSync('npm', ['run', '--silent', 'replay', '--', ...args], {
      cwd: process.cwd(),
      env: { ...process.env, DATABASE_URL: database().url, MODEL_STORE_DIR: store },
      encoding: 'utf8',
    });
  }

  it('registers the candidate, replays the stored messages, prints, writes and stores the report', async () => {
    const out = path.join(scratch, 'report.json');
    const run = replayCli(['--bot', BOT, '--model', dirs.b, '--explain', '1', '--out', out]);
    expect(run.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
    expect(run.status).toBe(0);
    const candidate = contentHash(dirs.b);
    expect(run.stdout).toContain(`candidate    b (${candidate.slice(0, 12)}, 7 labels)`);
    expect(run.stdout).toMatch(/^Agreement: the customer gets the same answer for \d+\.\d % of messages/m);
    expect(run.stdout).toContain('| decision   |');
    expect(run.stdout).toMatch(/stored as replay [0-9a-f-]{36}/);
    // Progress went to stderr.
    expect(run.stderr).toMatch(/messages 6\/6 \(100 %\)/);

    const stored = await latestReplay(BOT, candidate);
    expect(stored).toMatchObject({ candidateHash: candidate, activeHash: contentHash(dirs.a), messages: TEXTS.length });
    expect(run.stdout).toContain(`stored as replay ${stored!.id}`);
    const written = replayReportSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(written).toEqual(stored!.report);
    expect(written.settings.explain).toBe(1);
    expect(written.flipped.filter((group) => group.explanations)).toHaveLength(Math.min(1, written.flipped.length));
    // The change log says who registered it.
    const changes = await modelChanges(BOT);
    expect(changes).toContainEqual(expect.objectContaining({ action: 'register', fromHash: candidate, actorId: null, actorName: 'npm run replay' }));
  }, 120_000);

  it('stops with one sentence and exit code 2 on a folder or bot it cannot use', () => {
    const missing = path.join(scratch, 'nowhere');
    const cases: [string[], RegExp][] = [
      [['--bot', BOT, '--model', missing], new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} does not exist\\.$`)],
      [['--bot', BOT, '--model', 'tests/fixtures/candidate'], /^\S+ is not a model folder: .+ are missing\.$/],
      [['--bot', 'no such bot', '--model', dirs.b], /^--bot "no such bot" is not a bot id \(letters, digits, _ and -\)\.$/],
      [['--bot', 'nobot', '--model', dirs.b], /^Bot nobot has no model to compare with: no version is active and this build ships no public\/models\/nobot\/\.$/],
      [['--bot', BOT, '--model', dirs.a], /^\S+ is the active version of bot banking77 \([0-9a-f]{12}\): there is nothing to compare\.$/],
      [['--bot', BOT, '--model', dirs.b, '--days', '0'], /^--days must be a whole number, from 1 to 36500\.$/],
    ];
    for (const [args, sentence] of cases) {
      const run = replayCli(args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim(), args.join(' ')).toMatch(sentence);
      expect(run.stdout).toBe('');
    }
  }, 120_000);
});
