// `npm run replay -- --bot ID --model DIR [--days N] [--limit N] [--explain N] [--out FILE] [--no-store] [--json]`
// Registers DIR as a version of the bot (lib/model/versions.ts, the model store), replays the
// bot's stored customer messages of the last N days through it and through the active version
// (lib/replay/replay.ts), prints what would change for customers, and stores the report in the
// app's database (DATABASE_URL, as for the server) for the admin's Candidates page. A folder or
// bot it cannot use stops it with one sentence and exit code 2.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isBotId, shortVersion } from '@/lib/bot/registry';
import { runCli } from '@/lib/cli';
import { getConfig } from '@/lib/config';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { insertReplay } from '@/lib/db/queries/replays';
import { activeVersion, ModelVersionError, registerVersion, versionDir, type Actor } from '@/lib/model/versions';
import { formatReplay } from './print';
import { DEFAULT_REPLAY_DAYS, replay, type ReplayProgress } from './replay';
import { DEFAULT_EXPLAINED_GROUPS, MAX_EXPLAINED_GROUPS } from './report';

const USAGE = `Usage: npm run replay -- --bot ID --model DIR [--days N (${DEFAULT_REPLAY_DAYS})] [--limit N] [--explain N (${DEFAULT_EXPLAINED_GROUPS})] [--out FILE] [--no-store] [--json]`;

/** Who registers the candidate in the model change log. */
const REPLAY_ACTOR: Actor = { id: null, name: 'npm run replay' };

/** A run this command cannot make with what it was given: one sentence, exit code 2. */
class InputError extends Error {}

function wholeNumber(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new InputError(`--${name} must be a whole number, ${max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`}.`);
  return Number(value);
}

/** Progress on stderr: one line per phase, rewritten in place on a terminal, with the time left. */
function progressPrinter(stream: NodeJS.WriteStream): (progress: ReplayProgress) => void {
  let phase = '';
  let started = 0;
  let lastLine = 0;
  return ({ phase: name, done, total }) => {
    const now = performance.now();
    if (name !== phase) {
      if (phase && stream.isTTY) stream.write('\n');
      phase = name;
      started = now;
      lastLine = 0;
    }
    const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
    const eta = done > 0 && done < total ? ` · about ${Math.ceil((((now - started) / done) * (total - done)) / 1000)} s left` : '';
    const line = `  ${name} ${done}/${total} (${percent} %)${eta}`;
    if (stream.isTTY) stream.write(`\r\x1b[K${line}${done >= total ? '\n' : ''}`);
    else if (done === 0 || done >= total || now - lastLine > 10_000) {
      stream.write(`${line}\n`);
      lastLine = now;
    }
    if (done >= total) phase = '';
  };
}

async function run(): Promise<number> {
  const { values } = parseArgs({
    options: {
      bot: { type: 'string' },
      model: { type: 'string' },
      days: { type: 'string' },
      limit: { type: 'string' },
      explain: { type: 'string' },
      out: { type: 'string' },
      'no-store': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.bot || !values.model) throw new InputError(USAGE);
  const botId = values.bot;
  if (!isBotId(botId)) throw new InputError(`--bot ${JSON.stringify(botId.slice(0, 60))} is not a bot id (letters, digits, _ and -).`);
  const days = wholeNumber(values.days, 'days', 1, 36_500);
  const limit = wholeNumber(values.limit, 'limit', 1);
  const explain = wholeNumber(values.explain, 'explain', 0, MAX_EXPLAINED_GROUPS);
  const dir = path.resolve(values.model);
  if (!existsSync(dir)) throw new InputError(`${dir} does not exist.`);
  if (!statSync(dir).isDirectory()) throw new InputError(`${dir} is not a folder: --model names an exported model folder.`);
  // Read before anything loads: a bad setting stops the run at once.
  const { DATABASE_URL } = getConfig();

  await migrateDatabase(DATABASE_URL);
  const database = await connectDatabase(DATABASE_URL);
  try {
    const active = await activeVersion(botId);
    if (!active) throw new InputError(`Bot ${botId} has no model to compare with: no version is active and this build ships no public/models/${botId}/.`);
    const candidate = await registerVersion(botId, dir, REPLAY_ACTOR);
    if (candidate.hash === active.hash) throw new InputError(`${dir} is the active version of bot ${botId} (${shortVersion(active.hash)}): there is nothing to compare.`);
    if (candidate.retiredAt) console.error(`note: version ${shortVersion(candidate.hash)} was retired; it can be replayed, not promoted.`);
    const activeDir = versionDir(botId, active.hash)!;
    if (!existsSync(activeDir)) throw new InputError(`The active version ${shortVersion(active.hash)} of bot ${botId} is missing from the model store (${activeDir}).`);

    const report = await replay({
      botId,
      activeDir,
      activeVersion: active.hash,
      candidateDir: versionDir(botId, candidate.hash)!,
      candidateVersion: candidate.hash,
      days,
      limit,
      explain,
      onProgress: progressPrinter(process.stderr),
    });
    const stored = values['no-store'] ? null : await insertReplay(report);
    let written: string | null = null;
    if (values.out) {
      written = path.resolve(values.out);
      mkdirSync(path.dirname(written), { recursive: true });
      // One line: the explanations hold attention matrices, which indentation would triple.
      writeFileSync(written, `${JSON.stringify(report)}\n`);
    }
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      console.log(formatReplay(report));
      const notes = [
        `candidate ${shortVersion(candidate.hash)} registered for bot ${botId}`,
        ...(written ? [`wrote ${path.relative(process.cwd(), written).startsWith('..') ? written : path.relative(process.cwd(), written)}`] : []),
        stored ? `stored as replay ${stored} (the admin's Candidates page shows it)` : 'not stored (--no-store)',
      ];
      console.log(`\n${notes.join('; ')}`);
    }
    return 0;
  } finally {
    await database.$disconnect();
  }
}

async function main(): Promise<number> {
  try {
    return await run();
  } catch (error) {
    // A folder that is no model folder, a bot without a model: the operator's input, not a failure of the run.
    if (error instanceof InputError || (error instanceof ModelVersionError && error.code === 'invalid')) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

runCli(main);
