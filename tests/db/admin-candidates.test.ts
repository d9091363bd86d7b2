// The admin's Candidates page data and its changes (lib/admin/candidates.ts), on a real database
// and a real model store: the bundled demo model as the active version, a copy of it with a much
// higher temperature as the candidate (a real other version: its probabilities are flatter, so
// some customers would be asked to clarify or handed off instead), and a real replay of stored
// customer messages through both (lib/replay) stored as `npm run replay` stores it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answerKeyLabel,
  auditMetric,
  candidatesPageData,
  predictionModel,
  promoteCandidate,
  retireVersion,
  rollBackActive,
} from '@/lib/admin/candidates';
import { insertReplay } from '@/lib/db/queries/replays';
import { ApiError } from '@/lib/http/errors';
import { storeTurnRecord } from '@/lib/ingest/turns';
import { activeVersion, modelChanges, registerVersion, versionDir } from '@/lib/model/versions';
import { replay } from '@/lib/replay/replay';
import { testProviders, withScratchDatabase } from '../support/databases';
import { demoModelVariant } from '../support/model-variants';
import { classifiedTurn } from '../support/turns';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-candidates-'));
process.env.MODEL_STORE_DIR = path.join(scratch, 'store');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const admin = { id: null, name: 'admin@example.com' };
const MESSAGES = ['my card has not arrived yet', 'how do I top up my account', 'is there a fee for transfers', 'I lost my card', 'my card has not arrived yet', 'what is the weather like today'];

/** A copy of the demo model whose card has another temperature: another version of the same model. */
const variant = (name: string, temperature: number): string => demoModelVariant(path.join(scratch, name), (card) => ({ ...card, temperature }));

async function refusal(work: Promise<unknown>): Promise<ApiError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe.each(testProviders)('the Candidates page (%s)', (provider) => {
  withScratchDatabase(provider);
  let bundled: string;
  let candidate: string;

  beforeAll(async () => {
    // Each from a customer of their own.
    for (const text of MESSAGES) await storeTurnRecord(classifiedTurn({ text }));
  });

  it('shows the bundled version as served, by the system, with nothing to roll back to and no candidate', async () => {
    const data = await candidatesPageData('banking77');
    bundled = data.active!.hash;
    expect(data.bot).toEqual({ id: 'banking77', name: 'Lumen Bank assistant' });
    expect(data.bots.map((bot) => bot.id)).toEqual(['banking77']);
    expect(data.active).toMatchObject({ source: 'bundled', active: true, change: { action: 'activate', actorName: 'glassdesk', reason: 'the version this build ships' } });
    expect(data.previous).toBeNull();
    expect(data.candidates).toEqual([]);
    expect(data.changes.map((change) => change.action)).toEqual(['activate', 'register']);
  });

  it('lists a stored version as a candidate with the command that replays it, then with its replay’s report', async () => {
    candidate = (await registerVersion('banking77', variant(`hot-${provider}`, 4), admin)).hash;
    let data = await candidatesPageData('banking77');
    expect(data.candidates).toHaveLength(1);
    const [listed] = data.candidates;
    const folder = path.relative(process.cwd(), versionDir('banking77', candidate)!);
    expect(listed).toMatchObject({ hash: candidate, active: false, replay: null, folder, replayCommand: `npm run replay -- --bot banking77 --model ${folder}`, registration: { actorName: 'admin@example.com' } });

    const report = await replay({ botId: 'banking77', activeDir: versionDir('banking77', bundled)!, activeVersion: bundled, candidateDir: versionDir('banking77', candidate)!, candidateVersion: candidate, explain: 1 });
    expect(report.messages).toBe(MESSAGES.length);
    expect(report.agreement).toBeLessThan(1);
    const id = await insertReplay(report);
    data = await candidatesPageData('banking77');
    const { replay: shown } = data.candidates[0]!;
    expect(shown).toMatchObject({ id, againstActive: true, report: { messages: MESSAGES.length, agreement: report.agreement } });
    // The operator's name of every intent the report names, for its why-panels.
    for (const group of report.flipped) {
      expect(data.intentNames[group.active.intent]).toBeTypeOf('string');
      expect(data.intentNames[group.candidate.intent]).toBeTypeOf('string');
    }
    expect(data.intentNames.card_arrival).toBe("My card hasn't arrived");
  });

  it('promotes with a masked reason, then rolls back to the version before, each in the log and confirmed', async () => {
    const promoted = await promoteCandidate('banking77', admin, { version: candidate, reason: '  flatter answers, asked by ana@example.com  ' });
    expect(promoted.active).toBe(candidate);
    expect(promoted.change).toMatchObject({ action: 'promote', fromHash: bundled, toHash: candidate, actorName: 'admin@example.com' });
    expect(promoted.change.reason).not.toContain('ana@example.com');
    expect(promoted.change.reason).toMatch(/^flatter answers, asked by •+@•+\.com$/);

    let data = await candidatesPageData('banking77', promoted.change.id);
    expect(data.active).toMatchObject({ hash: candidate, change: { id: promoted.change.id } });
    expect(data.previous?.hash).toBe(bundled);
    expect(data.justChanged?.id).toBe(promoted.change.id);
    // The version served before is a candidate now; the replay compared the promoted one with it.
    expect(data.candidates.map((entry) => entry.hash)).toEqual([bundled]);

    const rolledBack = await rollBackActive('banking77', admin, { reason: 'customers were handed off too often' });
    expect(rolledBack).toMatchObject({ active: bundled, change: { action: 'rollback', fromHash: candidate, toHash: bundled, reason: 'customers were handed off too often' } });
    data = await candidatesPageData('banking77', ['not', 'one id']);
    expect(data.justChanged).toBeNull();
    expect(data.active?.hash).toBe(bundled);
    expect(data.candidates[0]).toMatchObject({ hash: candidate, replay: { againstActive: true } });
    expect(data.changes.slice(0, 2).map((change) => change.action)).toEqual(['rollback', 'promote']);
  });

  it('answers every refusal through the error table: status, code and the sentence', async () => {
    const empty = await refusal(promoteCandidate('banking77', admin, { version: candidate, reason: '   ' }));
    expect([empty.status, empty.code, empty.message]).toEqual([400, 'bad_request', 'A reason is required.']);
    const long = await refusal(rollBackActive('banking77', admin, { reason: 'x'.repeat(501) }));
    expect([long.status, long.code]).toEqual([400, 'bad_request']);
    const active = await refusal(promoteCandidate('banking77', admin, { version: bundled, reason: 'again' }));
    expect([active.status, active.code]).toEqual([409, 'version_active']);
    const activeRetired = await refusal(retireVersion('banking77', admin, { version: bundled, reason: 'old' }));
    expect([activeRetired.status, activeRetired.code]).toEqual([409, 'version_active']);
    const unknown = await refusal(promoteCandidate('banking77', admin, { version: 'e'.repeat(64), reason: 'why not' }));
    expect([unknown.status, unknown.code]).toEqual([404, 'not_found']);
    const noBot = await refusal(promoteCandidate('no-such-bot', admin, { version: candidate, reason: 'why not' }));
    expect([noBot.status, noBot.code]).toEqual([404, 'not_found']);
    // Nothing of that was logged.
    expect((await modelChanges('banking77')).filter((change) => change.reason === 'again' || change.reason === 'why not')).toEqual([]);
  });

  it('lists a retired version apart, refuses to promote it, and tells the why-panel what a prediction’s version can still do', async () => {
    const retired = await retireVersion('banking77', admin, { version: candidate, reason: 'too many hand-offs' });
    expect(retired).toMatchObject({ active: bundled, change: { action: 'retire', fromHash: candidate } });
    const data = await candidatesPageData('banking77');
    expect(data.candidates).toEqual([]);
    expect(data.retired).toEqual([expect.objectContaining({ hash: candidate, retiredReason: 'too many hand-offs' })]);
    const again = await refusal(promoteCandidate('banking77', admin, { version: candidate, reason: 'try again' }));
    expect([again.status, again.code]).toEqual([409, 'version_retired']);
    // Promoted from the bundled version, which is then retired: rolling back would restore it, and is refused.
    const cool = (await registerVersion('banking77', variant(`cool-${provider}`, 0.5), admin)).hash;
    await promoteCandidate('banking77', admin, { version: cool, reason: 'sharper' });
    await retireVersion('banking77', admin, { version: bundled, reason: 'superseded' });
    const back = await refusal(rollBackActive('banking77', admin, { reason: 'back' }));
    expect([back.status, back.code]).toEqual([409, 'version_retired']);
    const after = await candidatesPageData('banking77');
    expect(after.active?.hash).toBe(cool);
    expect(after.previous).toMatchObject({ hash: bundled, retiredReason: 'superseded' });
    expect(after.retired.map((version) => version.hash).sort()).toEqual([bundled, candidate].sort());

    expect(await predictionModel('banking77', candidate)).toMatchObject({ kind: 'retired', version: candidate, reason: 'too many hand-offs' });
    const stored = await predictionModel('banking77', cool);
    expect(stored).toMatchObject({ kind: 'stored', version: cool });
    expect((stored as { labels: string[] }).labels).toContain('card_arrival');
    expect(await predictionModel('banking77', 'test')).toEqual({ kind: 'unknown' });
    expect((await activeVersion('banking77'))?.hash).toBe(cool);
  });
});

describe('how the page says things', () => {
  const labelOf = (intent: string) => `«${intent}»`;

  it('reads answer keys as an operator does', () => {
    expect(answerKeyLabel('answer:card_arrival', labelOf)).toBe('«card_arrival»');
    expect(answerKeyLabel('clarify:top_up_failed', labelOf)).toBe('Clarify: «top_up_failed»?');
    expect(answerKeyLabel('handoff', labelOf)).toBe('Hand-off');
    expect(answerKeyLabel('unreadable', labelOf)).toBe('Could not read');
    expect(answerKeyLabel('something:else', labelOf)).toBe('something:else');
  });

  it('names audit metrics and which way is better', () => {
    expect(auditMetric('maxFlipRate')).toEqual({ label: 'Highest flip rate', format: 'share', better: 'lower' });
    expect(auditMetric('flipRate.typo')).toEqual({ label: 'Flip rate: Typos', format: 'share', better: 'lower' });
    expect(auditMetric('minDisparateImpact')).toEqual({ label: 'Lowest Disparate Impact', format: 'ratio', better: 'higher' });
    expect(auditMetric('warnings')).toEqual({ label: 'Warnings', format: 'count', better: 'lower' });
    expect(auditMetric('flipRate.__proto__').label).toBe('flipRate.__proto__');
  });
});
