// `npm run models -- <command> --bot ID …`: a bot's model versions from the command line, in the
// database DATABASE_URL names and the model store MODEL_STORE_DIR names (lib/model/versions.ts).
//   list     --bot ID                                  the versions, the active one first
//   register --bot ID --model DIR                      store a model folder as a version (not active)
//   promote  --bot ID --version HASH --reason TEXT     make a stored version the active one
//   rollback --bot ID --reason TEXT                    make the previous version active again
//   retire   --bot ID --version HASH --reason TEXT     stop serving and verifying a version
// A version may be named by the start of its hash when no other version of the bot starts so.
// Every change is logged with "npm run models" as who made it. A refused command says why in one
// sentence and exits with 2.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isBotId, shortVersion } from '@/lib/bot/registry';
import { runCli } from '@/lib/cli';
import { getConfig } from '@/lib/config';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import {
  activeVersion,
  listVersions,
  ModelVersionError,
  previousVersion,
  promote,
  registerVersion,
  retire,
  rollBack,
  type Actor,
  type ModelChangeInfo,
  type ModelVersionInfo,
} from './versions';

const USAGE = `Usage: npm run models -- list --bot ID
       npm run models -- register --bot ID --model DIR
       npm run models -- promote --bot ID --version HASH --reason TEXT
       npm run models -- rollback --bot ID --reason TEXT
       npm run models -- retire --bot ID --version HASH --reason TEXT`;

const COMMANDS = ['list', 'register', 'promote', 'rollback', 'retire'] as const;
type Command = (typeof COMMANDS)[number];

/** Who the change log names for a change made here. */
const CLI_ACTOR: Actor = { id: null, name: 'npm run models' };

/** The start of a hash a person may type for a version: enough characters that a match means something. */
const MIN_PREFIX = 4;

/** A refusal the operator can act on: printed as is, exit code 2. */
class Refusal extends Error {}

const day = (date: Date) => date.toISOString().slice(0, 10);

/** What a person typed for a version, checked: a hash or its start (at least `MIN_PREFIX` hex characters), lower-cased. */
function versionPrefix(given: string): string {
  const prefix = given.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(prefix) || prefix.length < MIN_PREFIX || prefix.length > 64) {
    throw new Refusal(`--version ${JSON.stringify(given.slice(0, 80))}: give a version's hash, or its first ${MIN_PREFIX} or more characters (0-9, a-f).`);
  }
  return prefix;
}

/** The stored version of `botId` whose hash starts with `prefix` (`versionPrefix`). */
async function resolveVersion(botId: string, prefix: string): Promise<ModelVersionInfo> {
  const matches = (await listVersions(botId)).filter((version) => version.hash.startsWith(prefix));
  if (matches.length === 0) throw new Refusal(`Bot ${botId} has no stored version ${prefix.length === 64 ? prefix : `starting with ${prefix}`}; npm run models -- list --bot ${botId} lists them.`);
  if (matches.length > 1) throw new Refusal(`${prefix} is the start of ${matches.length} versions of bot ${botId} (${matches.map((version) => shortVersion(version.hash)).join(', ')}); give more of the hash.`);
  return matches[0]!;
}

function versionTable(versions: readonly ModelVersionInfo[], previous: ModelVersionInfo | null): string {
  const rows = versions.map((version) => [
    version.active ? 'active' : version.retiredAt ? 'retired' : previous?.hash === version.hash ? 'previous' : 'candidate',
    shortVersion(version.hash),
    version.source,
    day(version.createdAt),
    version.name,
    version.retiredAt ? `retired ${day(version.retiredAt)}: ${version.retiredReason ?? ''}` : '',
  ]);
  const header = ['state', 'version', 'source', 'stored', 'name', ''];
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function changeLine(change: ModelChangeInfo): string {
  const from = change.fromHash ? shortVersion(change.fromHash) : '—';
  const to = change.toHash ? shortVersion(change.toHash) : '—';
  const what = change.action === 'retire' ? `retired ${from}` : `${change.action === 'promote' ? 'promoted' : 'rolled back'}: ${from} → ${to}`;
  return `${what} for bot ${change.botId} (${change.actorName}: ${change.reason})`;
}

function required(value: string | undefined, option: string, command: Command): string {
  if (value === undefined || value.trim() === '') throw new Refusal(`${command} needs --${option}.\n${USAGE}`);
  return value;
}

/** A command with its arguments checked, before the database is opened. */
type Request =
  | { command: 'list'; botId: string }
  | { command: 'register'; botId: string; dir: string }
  | { command: 'promote' | 'retire'; botId: string; prefix: string; reason: string }
  | { command: 'rollback'; botId: string; reason: string };

function request(command: Command, values: { bot?: string; model?: string; version?: string; reason?: string }): Request {
  const botId = required(values.bot, 'bot', command);
  if (!isBotId(botId)) throw new Refusal(`--bot ${JSON.stringify(botId.slice(0, 80))}: not a bot id (letters, digits, _ and -).`);
  switch (command) {
    case 'list':
      return { command, botId };
    case 'register':
      return { command, botId, dir: path.resolve(required(values.model, 'model', command)) };
    case 'promote':
    case 'retire':
      return { command, botId, prefix: versionPrefix(required(values.version, 'version', command)), reason: required(values.reason, 'reason', command) };
    case 'rollback':
      return { command, botId, reason: required(values.reason, 'reason', command) };
  }
}

async function run(asked: Request): Promise<void> {
  const { botId } = asked;
  // Every command sees the bot as the app does: its bundled version stored and active when it has none yet.
  await activeVersion(botId);
  switch (asked.command) {
    case 'list': {
      const versions = await listVersions(botId);
      if (versions.length === 0) {
        console.log(`Bot ${botId} has no stored model version; npm run models -- register --bot ${botId} --model DIR stores one.`);
        return;
      }
      console.log(versionTable(versions, await previousVersion(botId)));
      return;
    }
    case 'register': {
      const before = new Set((await listVersions(botId)).map((version) => version.hash));
      const version = await registerVersion(botId, asked.dir, CLI_ACTOR);
      const short = shortVersion(version.hash);
      if (before.has(version.hash)) console.log(`Version ${short} (${version.name}) of bot ${botId} was stored already${version.active ? ', and is active' : version.retiredAt ? ', and is retired' : ''}.`);
      else console.log(`Stored version ${short} (${version.name}) of bot ${botId}. Customers get it once it is promoted: npm run models -- promote --bot ${botId} --version ${short} --reason "…"`);
      return;
    }
    case 'promote': {
      const version = await resolveVersion(botId, asked.prefix);
      console.log(changeLine(await promote(botId, version.hash, CLI_ACTOR, asked.reason)));
      return;
    }
    case 'rollback': {
      console.log(changeLine(await rollBack(botId, CLI_ACTOR, asked.reason)));
      return;
    }
    case 'retire': {
      const version = await resolveVersion(botId, asked.prefix);
      console.log(changeLine(await retire(botId, version.hash, CLI_ACTOR, asked.reason)));
      return;
    }
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        bot: { type: 'string' },
        model: { type: 'string' },
        version: { type: 'string' },
        reason: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const command = positionals[0];
  if (positionals.length !== 1 || !(COMMANDS as readonly string[]).includes(command!)) {
    console.error(command === undefined ? USAGE : `${JSON.stringify(positionals.join(' ').slice(0, 80))} is not a command: ${COMMANDS.join(', ')}.\n${USAGE}`);
    return 2;
  }
  let asked: Request;
  try {
    asked = request(command as Command, values);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    console.error(error.message);
    return 2;
  }
  const { DATABASE_URL } = getConfig();
  await migrateDatabase(DATABASE_URL);
  const database = await connectDatabase(DATABASE_URL);
  try {
    await run(asked);
    return 0;
  } catch (error) {
    if (error instanceof Refusal || error instanceof ModelVersionError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  } finally {
    await database.$disconnect();
  }
}

runCli(main);
