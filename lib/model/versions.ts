import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { isBotId, isVersionHash } from '@/lib/bot/registry';
import { redact } from '@/lib/bot/redact';
import { getConfig } from '@/lib/config';
import {
  activeModelHash,
  changeThatActivated,
  findModelVersion,
  insertFirstActive,
  insertModelVersion,
  listModelChanges,
  listModelVersions,
  markRetired,
  switchActive,
  type ModelChangeRow,
  type ModelVersionRow,
} from '@/lib/db/queries/model-versions';
import { parseModelCard } from './card';

/**
 * Model versions: change control for what customers are answered by. A bot has any number of
 * stored versions, each an immutable copy of an exported model folder in the model store
 * (`<store>/<botId>/<hash>/`), named by the SHA-256 of its files, and exactly one active version.
 * The browser loads the active one from its content-addressed URL (`versionUrl`), so a promotion
 * is a new URL that no cache has seen; predictions name the hash, and the server checks each one
 * against the version it names for as long as that version is not retired.
 */

export type ModelVersionSource = 'bundled' | 'registered';

export type ModelVersionInfo = {
  botId: string;
  hash: string;
  name: string;
  source: ModelVersionSource;
  createdAt: Date;
  retiredAt: Date | null;
  retiredReason: string | null;
  active: boolean;
};

export type ModelChangeInfo = ModelChangeRow;

/** Who made a change: an admin (id and e-mail) or a command (no id; its name). */
export type Actor = { id: string | null; name: string };

export type ModelVersionErrorCode = 'invalid' | 'not_found' | 'retired' | 'active' | 'no_previous' | 'conflict';

export class ModelVersionError extends Error {
  constructor(
    readonly code: ModelVersionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModelVersionError';
  }
}

/** Who the system is in the change log (the bundled version's activation). */
export const SYSTEM_ACTOR: Actor = { id: null, name: 'glassdesk' };

/** The longest reason a change keeps: a sentence or a paragraph, never a document. */
export const MAX_REASON_LENGTH = 500;

/**
 * The files a model folder consists of (what the browser and the server load), relative to it.
 * Nothing else is copied into the store: a stray or hostile file in the folder stays out.
 */
const REQUIRED_FILES = ['model-card.json', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];
const OPTIONAL_FILES = ['similar-index.json', 'similar-index.bin', 'special_tokens_map.json', 'onnx/model_quantized.onnx'];
/** Copied with the version but left out of its hash: the audit report is made from the model, not part of it. */
const AUDIT_FILE = 'audit.json';

export function modelStoreDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ getConfig().MODEL_STORE_DIR);
}

/** The folder this build ships for a bot (`public/models/<botId>/`): its bundled version. */
export function bundledModelDir(botId: string): string {
  return path.join(/*turbopackIgnore: true*/ process.cwd(), 'public', 'models', botId);
}

/** The store folder of a version, or null when `botId` is no bot id or `hash` no version hash (so the path stays inside the store). */
export function versionDir(botId: string, hash: string, store = modelStoreDir()): string | null {
  return isBotId(botId) && isVersionHash(hash) ? path.join(store, botId, hash) : null;
}

/** The model files present in `dir`, sorted; throws when a required one is missing. */
function modelFiles(dir: string): string[] {
  const missing = REQUIRED_FILES.filter((file) => !isFile(path.join(/*turbopackIgnore: true*/ dir, file)));
  if (missing.length > 0) throw new ModelVersionError('invalid', `${dir} is not a model folder: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing.`);
  return [...REQUIRED_FILES, ...OPTIONAL_FILES.filter((file) => isFile(path.join(/*turbopackIgnore: true*/ dir, file)))].sort();
}

function isFile(file: string): boolean {
  return existsSync(/*turbopackIgnore: true*/ file) && statSync(/*turbopackIgnore: true*/ file).isFile();
}

/**
 * A model folder's version: SHA-256 over its model files in path order, each as its relative
 * path, a NUL, its length, a NUL and its bytes (the length keeps two files from running into
 * each other). `audit.json` is left out.
 */
export function contentHash(dir: string): string {
  const hash = createHash('sha256');
  for (const file of modelFiles(dir)) {
    const bytes = readFileSync(/*turbopackIgnore: true*/ path.join(dir, file));
    hash.update(`${file}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/** The card's name, checking on the way that the card is one the chat can load. */
function cardName(dir: string): string {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(/*turbopackIgnore: true*/ path.join(dir, 'model-card.json'), 'utf8'));
  } catch (error) {
    throw new ModelVersionError('invalid', `${dir}/model-card.json is not JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  try {
    return parseModelCard(raw).name.slice(0, 200) || path.basename(dir);
  } catch (error) {
    throw new ModelVersionError('invalid', error instanceof Error ? error.message : String(error));
  }
}

/**
 * Copies the folder's files into the store under their hash: into a fresh folder first, renamed
 * into place, so a reader never sees half a version. A folder already there with other bytes (a
 * disk error, a hand edit) is replaced.
 */
function copyIntoStore(dir: string, target: string, hash: string): void {
  if (existsSync(/*turbopackIgnore: true*/ target)) {
    if (contentHash(target) === hash) return;
    rmSync(/*turbopackIgnore: true*/ target, { recursive: true, force: true });
  }
  const staging = `${target}.staging-${randomUUID()}`;
  try {
    const files = [...modelFiles(dir), ...(isFile(path.join(dir, AUDIT_FILE)) ? [AUDIT_FILE] : [])];
    for (const file of files) {
      mkdirSync(/*turbopackIgnore: true*/ path.dirname(path.join(staging, file)), { recursive: true });
      copyFileSync(/*turbopackIgnore: true*/ path.join(dir, file), path.join(staging, file));
    }
    if (contentHash(staging) !== hash) throw new ModelVersionError('invalid', `${dir} changed while it was being stored; try again.`);
    try {
      renameSync(/*turbopackIgnore: true*/ staging, target);
    } catch (error) {
      // Another process stored the same version first: theirs is the same bytes.
      if (!existsSync(/*turbopackIgnore: true*/ target)) throw error;
    }
  } finally {
    rmSync(/*turbopackIgnore: true*/ staging, { recursive: true, force: true });
  }
}

function info(row: ModelVersionRow, activeHash: string | null): ModelVersionInfo {
  return { ...row, source: row.source === 'bundled' ? 'bundled' : 'registered', active: row.hash === activeHash };
}

function checkBot(botId: string): void {
  if (!isBotId(botId)) throw new ModelVersionError('invalid', `${JSON.stringify(botId.slice(0, 60))} is not a bot id.`);
}

/** A reason as the log keeps it: required, bounded, personal data masked. */
function checkedReason(reason: string): string {
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  if (!trimmed) throw new ModelVersionError('invalid', 'A reason is required.');
  if (trimmed.length > MAX_REASON_LENGTH) throw new ModelVersionError('invalid', `The reason is longer than ${MAX_REASON_LENGTH} characters.`);
  return redact(trimmed, { kinds: getConfig().REDACT_PII }).text;
}

/**
 * Stores the model folder `dir` as a version of `botId` (copied into the store, named by its
 * hash) and logs who did it. Registering the same files again changes nothing and returns the
 * version as stored (a retired one stays retired).
 */
export async function registerVersion(botId: string, dir: string, actor: Actor, options: { source?: ModelVersionSource; store?: string } = {}): Promise<ModelVersionInfo> {
  checkBot(botId);
  const source = path.resolve(/*turbopackIgnore: true*/ dir);
  const hash = contentHash(source);
  const name = cardName(source);
  copyIntoStore(source, versionDir(botId, hash, options.store)!, hash);
  const shown = path.relative(process.cwd(), source) || '.';
  const { row } = await insertModelVersion(
    { botId, hash, name, source: options.source ?? 'registered' },
    { botId, action: 'register', fromHash: hash, toHash: null, actorId: actor.id, actorName: actor.name, reason: `stored from ${shown.startsWith('..') ? source : shown}`.slice(0, MAX_REASON_LENGTH) },
  );
  return info(row, await activeModelHash(botId));
}

/** Per process and bot: the bundled folder is looked at once (it changes only with a new build). */
const bundledChecked = new Map<string, Promise<void>>();

/**
 * The bundled folder registered (never activated) when it is not stored yet: a new build's model
 * becomes a candidate, and the admin decides whether customers get it.
 */
function registerBundled(botId: string, store: string | undefined, bundledDir: string): Promise<void> {
  const key = `${store ?? ''}\0${bundledDir}`;
  let done = bundledChecked.get(key);
  if (!done) {
    done = (async () => {
      if (!isFile(path.join(bundledDir, 'model-card.json'))) return;
      await registerVersion(botId, bundledDir, SYSTEM_ACTOR, { source: 'bundled', store });
    })();
    // A failure (a broken bundled folder) is tried again on the next call rather than remembered.
    done.catch(() => bundledChecked.delete(key));
    bundledChecked.set(key, done);
  }
  return done;
}

/**
 * The version the bot serves. A bot with none yet gets its bundled folder (`public/models/<botId>/`)
 * stored and activated; null when it has neither. The active version's store folder is put back
 * from the bundled folder when it went missing and the bundled folder is that version.
 */
export async function activeVersion(botId: string, options: { store?: string; bundledDir?: string } = {}): Promise<ModelVersionInfo | null> {
  checkBot(botId);
  const bundledDir = options.bundledDir ?? bundledModelDir(botId);
  let hash = await activeModelHash(botId);
  if (hash === null) {
    if (!isFile(path.join(bundledDir, 'model-card.json'))) return null;
    const bundled = await registerVersion(botId, bundledDir, SYSTEM_ACTOR, { source: 'bundled', store: options.store });
    hash = await insertFirstActive(botId, bundled.hash, {
      botId,
      action: 'activate',
      fromHash: null,
      toHash: bundled.hash,
      actorId: null,
      actorName: SYSTEM_ACTOR.name,
      reason: 'the version this build ships',
    });
  } else {
    await registerBundled(botId, options.store, bundledDir).catch((error) => console.error(`The bundled model of bot "${botId}" could not be stored.`, error));
  }
  const row = await findModelVersion(botId, hash);
  if (!row) return null;
  const dir = versionDir(botId, hash, options.store)!;
  if (!existsSync(/*turbopackIgnore: true*/ dir) && isFile(path.join(bundledDir, 'model-card.json')) && contentHash(bundledDir) === hash) {
    copyIntoStore(bundledDir, dir, hash);
  }
  return info(row, hash);
}

/**
 * A stored version as the store has it, without asking whether it is active: one read, for the
 * paths that look a version up per record (ingest, the verifier, the file route).
 */
export async function storedVersion(botId: string, hash: string): Promise<Omit<ModelVersionInfo, 'active'> | null> {
  if (!isBotId(botId) || !isVersionHash(hash)) return null;
  const row = await findModelVersion(botId, hash);
  return row && { ...row, source: row.source === 'bundled' ? 'bundled' : 'registered' };
}

export async function findVersion(botId: string, hash: string): Promise<ModelVersionInfo | null> {
  const stored = await storedVersion(botId, hash);
  return stored && { ...stored, active: stored.hash === (await activeModelHash(botId)) };
}

/** The bot's versions: the active one first, then newest first. */
export async function listVersions(botId: string): Promise<ModelVersionInfo[]> {
  checkBot(botId);
  const [rows, activeHash] = await Promise.all([listModelVersions(botId), activeModelHash(botId)]);
  return rows.map((row) => info(row, activeHash)).sort((a, b) => Number(b.active) - Number(a.active));
}

/** The version a roll back restores: the one active before the change that activated the current one. */
export async function previousVersion(botId: string): Promise<ModelVersionInfo | null> {
  checkBot(botId);
  const activeHash = await activeModelHash(botId);
  if (!activeHash) return null;
  const change = await changeThatActivated(botId, activeHash);
  if (!change?.fromHash) return null;
  const row = await findModelVersion(botId, change.fromHash);
  return row ? info(row, activeHash) : null;
}

async function switchTo(botId: string, target: ModelVersionInfo, action: 'promote' | 'rollback', actor: Actor, reason: string): Promise<ModelChangeInfo> {
  const current = await activeVersion(botId);
  if (!current) throw new ModelVersionError('not_found', `Bot "${botId}" has no active model version.`);
  if (current.hash === target.hash) throw new ModelVersionError('active', `Version ${target.hash.slice(0, 12)} is already active.`);
  const outcome = await switchActive({ botId, action, fromHash: current.hash, toHash: target.hash, actorId: actor.id, actorName: actor.name, reason });
  if (!outcome.ok) throw new ModelVersionError('conflict', 'The active version changed meanwhile; reload and try again.');
  return outcome.change;
}

/** Makes a stored, not retired version the bot's active one. */
export async function promote(botId: string, hash: string, actor: Actor, reason: string): Promise<ModelChangeInfo> {
  checkBot(botId);
  const why = checkedReason(reason);
  const target = await findVersion(botId, hash);
  if (!target) throw new ModelVersionError('not_found', `Bot "${botId}" has no stored version ${hash.slice(0, 64)}.`);
  if (target.retiredAt) throw new ModelVersionError('retired', `Version ${hash.slice(0, 12)} was retired: it can no longer be served.`);
  return switchTo(botId, target, 'promote', actor, why);
}

/** Makes the version that was active before the current one active again. */
export async function rollBack(botId: string, actor: Actor, reason: string): Promise<ModelChangeInfo> {
  checkBot(botId);
  const why = checkedReason(reason);
  const previous = await previousVersion(botId);
  if (!previous) throw new ModelVersionError('no_previous', `Bot "${botId}" has no earlier version to roll back to.`);
  if (previous.retiredAt) throw new ModelVersionError('retired', `The earlier version ${previous.hash.slice(0, 12)} was retired; promote another one.`);
  return switchTo(botId, previous, 'rollback', actor, why);
}

/**
 * Retires a version that is not active: it is no longer served to browsers, and predictions that
 * name it are no longer verified against it (they end `failed`, saying so). Its files stay in the
 * store, so registering the same folder again brings nothing back silently: it stays retired.
 */
export async function retire(botId: string, hash: string, actor: Actor, reason: string): Promise<ModelChangeInfo> {
  checkBot(botId);
  const why = checkedReason(reason);
  const target = await findVersion(botId, hash);
  if (!target) throw new ModelVersionError('not_found', `Bot "${botId}" has no stored version ${hash.slice(0, 64)}.`);
  if (target.active) throw new ModelVersionError('active', 'The active version cannot be retired; promote another one first.');
  if (target.retiredAt) throw new ModelVersionError('retired', `Version ${hash.slice(0, 12)} is retired already.`);
  const change = { botId, action: 'retire' as const, fromHash: hash, toHash: null, actorId: actor.id, actorName: actor.name, reason: why };
  const logged = await markRetired(botId, hash, why, change);
  if (!logged) throw new ModelVersionError('conflict', 'The version changed meanwhile; reload and try again.');
  return logged;
}

export async function modelChanges(botId: string, take = 50): Promise<ModelChangeInfo[]> {
  checkBot(botId);
  return listModelChanges(botId, Math.min(Math.max(1, take), 500));
}
