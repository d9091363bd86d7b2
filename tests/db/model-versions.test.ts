// Model versions: content hashes, the store, one active version per bot, and promote / roll back /
// retire with their reasons in the change log, on a real database and real model folders (the
// demo model, and copies of it whose card differs: real other versions).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortVersion, versionUrl } from '@/lib/bot/registry';
import { MASK } from '@/lib/bot/redact';
import {
  activeVersion,
  contentHash,
  listVersions,
  modelChanges,
  ModelVersionError,
  previousVersion,
  promote,
  registerVersion,
  retire,
  rollBack,
  versionDir,
} from '@/lib/model/versions';
import { switchActive } from '@/lib/db/queries/model-versions';
import { testProviders, withScratchDatabase } from '../support/databases';
import { demoModelVariant } from '../support/model-variants';

const demoDir = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'banking77');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-versions-'));
// The store the app's calls use (read once, when the configuration is first asked for).
process.env.MODEL_STORE_DIR = path.join(scratch, 'store');
const store = process.env.MODEL_STORE_DIR;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the demo model whose card has another temperature: another version of the same model. */
const variant = (name: string, temperature: number): string => demoModelVariant(path.join(scratch, name), (card) => ({ ...card, temperature }));

const admin = { id: null, name: 'admin@example.com' };

async function expectCode(work: Promise<unknown>, code: string) {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelVersionError);
  expect((error as ModelVersionError).code).toBe(code);
  return error as ModelVersionError;
}

describe('content hash', () => {
  let copy: string;
  beforeAll(() => {
    copy = path.join(scratch, 'hash-copy');
    cpSync(demoDir, copy, { recursive: true });
  });

  it('is the same for the same files wherever they are, and a 64-digit hex', () => {
    expect(contentHash(copy)).toBe(contentHash(demoDir));
    expect(contentHash(copy)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves the audit report and stray files out, and changes with any model file', () => {
    const before = contentHash(copy);
    writeFileSync(path.join(copy, 'audit.json'), '{"changed":true}');
    writeFileSync(path.join(copy, 'notes.txt'), 'not part of the model');
    expect(contentHash(copy)).toBe(before);
    const config = readFileSync(path.join(copy, 'config.json'), 'utf8');
    writeFileSync(path.join(copy, 'config.json'), `${config} `);
    expect(contentHash(copy)).not.toBe(before);
  });

  it('refuses a folder that is not a model, naming what is missing', () => {
    const empty = mkdtempSync(path.join(scratch, 'empty-'));
    writeFileSync(path.join(empty, 'config.json'), '{}');
    expect(() => contentHash(empty)).toThrow(/model-card\.json, tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx are missing/);
  });

  it('keeps store paths inside the store', () => {
    expect(versionDir('../etc', 'a'.repeat(64), store)).toBeNull();
    expect(versionDir('banking77', '../../x', store)).toBeNull();
    expect(versionDir('banking77', 'A'.repeat(64), store)).toBeNull();
    expect(versionDir('banking77', 'a'.repeat(64), store)).toBe(path.join(store, 'banking77', 'a'.repeat(64)));
    expect(versionUrl('banking77', 'a'.repeat(64))).toBe(`/models/banking77/${'a'.repeat(64)}/`);
    expect(() => versionUrl('banking77', 'v1')).toThrow();
    expect(shortVersion('0123456789abcdef'.repeat(4))).toBe('0123456789ab');
  });
});

describe.each(testProviders)('model versions on %s', (provider) => {
  withScratchDatabase(provider);
  const bot = `bot-${provider}`;
  let bundled: string;
  let b: string;
  let c: string;
  let hashA: string;
  let hashB: string;
  let hashC: string;

  beforeAll(() => {
    bundled = path.join(scratch, `bundled-${provider}`);
    cpSync(demoDir, bundled, { recursive: true });
    b = variant(`b-${provider}`, 1.5);
    c = variant(`c-${provider}`, 2.5);
    [hashA, hashB, hashC] = [contentHash(bundled), contentHash(b), contentHash(c)];
  });

  it('has no active version for a bot with nothing bundled', async () => {
    expect(await activeVersion(`${bot}-none`, { bundledDir: path.join(scratch, 'nothing-here') })).toBeNull();
  });

  it('activates the bundled folder first, copied into the store under its hash, and logs it', async () => {
    const active = await activeVersion(bot, { bundledDir: bundled });
    expect(active).toMatchObject({ botId: bot, hash: hashA, source: 'bundled', active: true, retiredAt: null });
    expect(active!.name).toBe(JSON.parse(readFileSync(path.join(demoDir, 'model-card.json'), 'utf8')).name);
    const dir = versionDir(bot, hashA)!;
    expect(contentHash(dir)).toBe(hashA);
    expect(existsSync(path.join(dir, 'audit.json'))).toBe(existsSync(path.join(demoDir, 'audit.json')));
    // Asked again, the same version; nothing logged twice.
    expect((await activeVersion(bot, { bundledDir: bundled }))!.hash).toBe(hashA);
    const changes = await modelChanges(bot);
    expect(changes.map((change) => change.action).sort()).toEqual(['activate', 'register']);
    expect(changes.find((change) => change.action === 'activate')).toMatchObject({ fromHash: null, toHash: hashA, actorId: null, actorName: 'glassdesk' });
  });

  it('puts the active version back into the store from the bundled folder when its folder went missing', async () => {
    rmSync(versionDir(bot, hashA)!, { recursive: true });
    await activeVersion(bot, { bundledDir: bundled });
    expect(contentHash(versionDir(bot, hashA)!)).toBe(hashA);
  });

  it('registers a candidate without activating it, once however often it is registered', async () => {
    const registered = await registerVersion(bot, b, admin);
    expect(registered).toMatchObject({ hash: hashB, source: 'registered', active: false });
    await registerVersion(bot, b, admin);
    await registerVersion(bot, c, admin);
    const versions = await listVersions(bot);
    expect(versions).toHaveLength(3);
    expect(new Set(versions.map((version) => version.hash))).toEqual(new Set([hashA, hashB, hashC]));
    expect(versions[0]).toMatchObject({ hash: hashA, active: true });
    expect((await modelChanges(bot)).filter((change) => change.action === 'register')).toHaveLength(3);
    expect((await activeVersion(bot, { bundledDir: bundled }))!.hash).toBe(hashA);
  });

  it('refuses a promotion without a reason, of the active version, or of an unknown one', async () => {
    await expectCode(promote(bot, hashB, admin, '   '), 'invalid');
    await expectCode(promote(bot, hashB, admin, 'x'.repeat(501)), 'invalid');
    await expectCode(promote(bot, hashA, admin, 'again'), 'active');
    await expectCode(promote(bot, 'f'.repeat(64), admin, 'unknown'), 'not_found');
    expect((await activeVersion(bot))!.hash).toBe(hashA);
  });

  it('promotes with the reason masked, and the previous version is one roll back away', async () => {
    const change = await promote(bot, hashB, { id: null, name: 'ops@example.com' }, 'Fewer hand-offs; asked by jane.doe@example.com');
    expect(change).toMatchObject({ action: 'promote', fromHash: hashA, toHash: hashB, actorName: 'ops@example.com' });
    expect(change.reason).not.toContain('jane.doe@example.com');
    expect(change.reason).toContain(MASK);
    expect((await activeVersion(bot))!.hash).toBe(hashB);
    expect((await previousVersion(bot))!.hash).toBe(hashA);
  });

  it('refuses to retire the active version', async () => {
    await expectCode(retire(bot, hashB, admin, 'no'), 'active');
  });

  it('rolls back to the version active before, and logs it', async () => {
    const change = await rollBack(bot, admin, 'B answers card questions worse');
    expect(change).toMatchObject({ action: 'rollback', fromHash: hashB, toHash: hashA, reason: 'B answers card questions worse' });
    expect((await activeVersion(bot))!.hash).toBe(hashA);
  });

  it('retires a version: no longer promotable, and a roll back to it is refused', async () => {
    const change = await retire(bot, hashB, admin, 'superseded');
    expect(change).toMatchObject({ action: 'retire', fromHash: hashB, toHash: null });
    const retired = (await listVersions(bot)).find((version) => version.hash === hashB)!;
    expect(retired.retiredAt).toBeInstanceOf(Date);
    expect(retired.retiredReason).toBe('superseded');
    await expectCode(promote(bot, hashB, admin, 'back'), 'retired');
    await expectCode(retire(bot, hashB, admin, 'twice'), 'retired');
    // The roll back before made A active from B: rolling back again would restore B, which is retired.
    await expectCode(rollBack(bot, admin, 'undo'), 'retired');
    // Registering the same files again does not bring it back.
    expect((await registerVersion(bot, b, admin)).retiredAt).toBeInstanceOf(Date);
  });

  it('changes the active version only from the version the change was decided on', async () => {
    // What the second of two simultaneous promotions meets: the active version is no longer the one it read.
    const stale = await switchActive({ botId: bot, action: 'promote', fromHash: hashC, toHash: hashA, actorId: null, actorName: 'second admin', reason: 'stale' });
    expect(stale).toEqual({ ok: false, reason: 'conflict' });
    expect((await activeVersion(bot))!.hash).toBe(hashA);
    await promote(bot, hashC, admin, 'C replays best');
    expect((await activeVersion(bot))!.hash).toBe(hashC);
    expect(await previousVersion(bot)).toMatchObject({ hash: hashA });
  });

  it('keeps the change log newest first with who, what and why', async () => {
    const changes = await modelChanges(bot);
    expect(changes[0]!.action).toBe('promote');
    expect(changes.map((change) => change.action)).toContain('retire');
    for (const change of changes) expect(change.reason.length).toBeGreaterThan(0);
  });
});
