// The browser's side of model versions, through the routes themselves: a stored version's files
// (GET /models/:botId/:version/:file…) and the version a bot serves (GET /api/bots/:botId/model),
// on a real database and a real store holding copies of the demo model.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getModel } from '@/app/api/bots/[botId]/model/route';
import { GET as getFile, HEAD as headFile } from '@/app/models/[botId]/[version]/[...file]/route';
import { versionUrl } from '@/lib/bot/registry';
import { IMMUTABLE_CACHE, parseRange } from '@/lib/model/version-files';
import { activeVersion, promote, registerVersion, retire, versionDir } from '@/lib/model/versions';
import { testProviders, withScratchDatabase } from '../support/databases';
import { demoModelVariant } from '../support/model-variants';

const demoDir = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'banking77');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-version-files-'));
process.env.MODEL_STORE_DIR = path.join(scratch, 'store');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const admin = { id: null, name: 'admin@example.com' };

/** A copy of the demo model whose card has another temperature: another version of the same model. */
const variant = (name: string, temperature: number): string => demoModelVariant(path.join(scratch, name), (card) => ({ ...card, temperature }));

const fileRequest = (botId: string, version: string, file: string[], init?: RequestInit) =>
  getFile(new Request(`http://localhost/models/${botId}/${version}/${file.join('/')}`, init), { params: Promise.resolve({ botId, version, file }) });
const modelRequest = (botId: string) => getModel(new Request(`http://localhost/api/bots/${botId}/model`), { params: Promise.resolve({ botId }) });

describe.each(testProviders)('model versions for the browser (%s)', (provider) => {
  withScratchDatabase(provider);
  let bundled: string;
  let candidate: string;

  beforeAll(async () => {
    bundled = (await activeVersion('banking77', { bundledDir: demoDir }))!.hash;
    candidate = (await registerVersion('banking77', variant(`candidate-${provider}`, 1.5), admin)).hash;
  });

  it('names the active version, never cached, and follows a promotion at once', async () => {
    let response = await modelRequest('banking77');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ botId: 'banking77', version: bundled, url: `/models/banking77/${bundled}/` });

    await promote('banking77', candidate, admin, 'a better calibration');
    response = await modelRequest('banking77');
    expect(await response.json()).toEqual({ botId: 'banking77', version: candidate, url: versionUrl('banking77', candidate) });
    await promote('banking77', bundled, admin, 'back to the shipped one');
  });

  it('answers 404 for a bot that serves nothing, and for what is no bot id', async () => {
    for (const botId of ['no-such-bot', '..', 'a b', 'x'.repeat(51)]) {
      const response = await modelRequest(botId);
      expect(response.status, botId).toBe(404);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect((await response.json()).error.code).toBe('not_found');
    }
  });

  it('serves a stored version’s files as stored, with their type, cached for good', async () => {
    const card = await fileRequest('banking77', candidate, ['model-card.json']);
    expect(card.status).toBe(200);
    expect(card.headers.get('content-type')).toBe('application/json');
    expect(card.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
    expect(JSON.parse(await card.text()).temperature).toBe(1.5);

    const onnx = await fileRequest('banking77', candidate, ['onnx', 'model.onnx']);
    expect(onnx.status).toBe(200);
    expect(onnx.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = Buffer.from(await onnx.arrayBuffer());
    expect(bytes.equals(readFileSync(path.join(demoDir, 'onnx', 'model.onnx')))).toBe(true);
    expect(onnx.headers.get('content-length')).toBe(String(bytes.length));

    // The active version, from its stored copy.
    const tokenizer = await fileRequest('banking77', bundled, ['tokenizer.json']);
    expect(Buffer.from(await tokenizer.arrayBuffer()).equals(readFileSync(path.join(demoDir, 'tokenizer.json')))).toBe(true);
  });

  it('answers HEAD, a byte range and a revalidation', async () => {
    const whole = readFileSync(path.join(demoDir, 'config.json'));
    const head = await headFile(new Request(`http://localhost/models/banking77/${bundled}/config.json`, { method: 'HEAD' }), {
      params: Promise.resolve({ botId: 'banking77', version: bundled, file: ['config.json'] }),
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(whole.length));
    expect(await head.text()).toBe('');

    const range = await fileRequest('banking77', bundled, ['config.json'], { headers: { range: 'bytes=2-9' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 2-9/${whole.length}`);
    expect(Buffer.from(await range.arrayBuffer()).equals(whole.subarray(2, 10))).toBe(true);
    const unsatisfiable = await fileRequest('banking77', bundled, ['config.json'], { headers: { range: `bytes=${whole.length}-` } });
    expect(unsatisfiable.status).toBe(416);

    const etag = (await fileRequest('banking77', bundled, ['config.json'])).headers.get('etag')!;
    const again = await fileRequest('banking77', bundled, ['config.json'], { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
  });

  it('finds nothing outside a stored, not retired version’s own files', async () => {
    const store = process.env.MODEL_STORE_DIR!;
    // A file beside the store's folders, and a link out of a version's folder.
    writeFileSync(path.join(store, 'secret.txt'), 'not a model file');
    const candidateDir = versionDir('banking77', candidate)!;
    // The store is the file's, shared by each database's run: the link may be there from the one before.
    rmSync(path.join(candidateDir, 'linked.txt'), { force: true });
    symlinkSync(path.join(store, 'secret.txt'), path.join(candidateDir, 'linked.txt'));
    mkdirSync(path.join(candidateDir, 'sub'), { recursive: true });
    const unregistered = 'f'.repeat(64);
    cpSync(demoDir, path.join(store, 'banking77', unregistered), { recursive: true });

    const cases: [string, string, string[]][] = [
      ['banking77', candidate, ['..', '..', 'secret.txt']],
      ['banking77', candidate, ['..%2F..%2Fsecret.txt']],
      ['banking77', candidate, ['linked.txt']],
      ['banking77', candidate, ['sub']],
      ['banking77', candidate, ['onnx']],
      ['banking77', candidate, ['.hidden']],
      ['banking77', candidate, ['audit.json']],
      ['banking77', candidate, ['no-such-file.json']],
      ['banking77', candidate, []],
      ['banking77', candidate, ['a', 'b', 'c', 'd']],
      ['banking77', candidate.toUpperCase(), ['model-card.json']],
      ['banking77', candidate.slice(0, 12), ['model-card.json']],
      ['banking77', unregistered, ['model-card.json']],
      ['..', candidate, ['model-card.json']],
      ['other-bot', candidate, ['model-card.json']],
    ];
    for (const [botId, version, file] of cases) {
      const response = await fileRequest(botId, version, file);
      expect(response.status, `${botId}/${version}/${file.join('/')}`).toBe(404);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }

    // Retired: no longer served.
    const retiring = (await registerVersion('banking77', variant(`retiring-${provider}`, 2.5), admin)).hash;
    expect((await fileRequest('banking77', retiring, ['model-card.json'])).status).toBe(200);
    await retire('banking77', retiring, admin, 'miscalibrated');
    expect((await fileRequest('banking77', retiring, ['model-card.json'])).status).toBe(404);
  });
});

describe('parseRange', () => {
  it('reads one satisfiable range and nothing else', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=-30', 10)).toEqual({ start: 0, end: 9 });
    for (const header of ['bytes=10-', 'bytes=5-2', 'bytes=-', 'bytes=-0', 'bytes=0-1,3-4', 'items=0-1', 'bytes=a-b', `bytes=${'9'.repeat(40)}-`]) {
      expect(parseRange(header, 10), header).toBeNull();
    }
    expect(parseRange('bytes=0-', 0)).toBeNull();
  });
});
