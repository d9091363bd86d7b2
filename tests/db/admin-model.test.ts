// The admin's Model page data: the active model version's card, and the audit of that very
// version from the database (the latest stored under its hash), else from the version folder's
// audit.json when it is of the same version, else how to run one.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipSides, MAX_AUDIT_FILE_BYTES, modelPageBotId, modelPageData, pageWarnings } from '@/lib/admin/model';
import { auditReportSchema, type AuditReport } from '@/lib/audit/report';
import { db } from '@/lib/db/client';
import { insertAudit } from '@/lib/db/queries/audits';
import { modelVersion } from '@/lib/model/card';
import { readModelCard } from '@/lib/model/node';
import { contentHash, promote, registerVersion, versionDir } from '@/lib/model/versions';
import { niceCeiling } from '@/lib/ui/admin/charts';
import { auditReportFixture, EXPLAINED_FLIP, storeAuditReport, withExplainedFlip } from '../support/audit-report';
import { testProviders, withScratchDatabase } from '../support/databases';

const demoDir = path.resolve(import.meta.dirname, '..', '..', 'public', 'models', 'banking77');
/** The version the card names, and the version's hash, which the page goes by. */
const demoVersion = modelVersion(readModelCard(demoDir)!);
const demoHash = contentHash(demoDir);

/** The demo version's folder in the model store (the tests' scratch store): the page reads its card and audit.json. */
const versionFolder = () => versionDir('banking77', demoHash)!;
const auditFile = () => path.join(versionFolder(), 'audit.json');
const shownFolder = () => path.relative(process.cwd(), versionFolder());

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'glassdesk-model-page-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Sets a stored audit's time, so "latest" does not hang on two inserts in the same millisecond. */
async function storedAt(id: string, iso: string) {
  await db().modelAudit.update({ where: { id }, data: { createdAt: new Date(iso) } });
}

describe.each(testProviders)('Model page data on %s', (provider) => {
  withScratchDatabase(provider);
  // Each database starts with the demo version stored from the bundled folder (its audit.json copied too), then without that report.
  beforeAll(async () => {
    const first = await modelPageData('banking77');
    expect(first.audit?.kind, 'the committed audit.json is of the committed model').toBe('file');
    rmSync(auditFile(), { force: true });
  });

  it('shows the card of the active version: its hash, the card’s own version, language, figures, settings with their rules, warnings', async () => {
    const data = await modelPageData('banking77');
    expect(data.cardProblem).toBeNull();
    expect(data.active).toEqual({ hash: demoHash, source: 'bundled' });
    expect(data.modelPath).toBe(shownFolder());
    const card = data.card!;
    expect(card.version).toBe(demoHash);
    expect(card.cardVersion).toBe(demoVersion);
    expect(card.cardVersion).toBe('2026-11-30T08:40:53+00:00');
    expect(card.language).toBe('en');
    expect(card.intents).toBe(78);
    expect(card.figures).toEqual({ split: 'test', rows: 1030, accuracy: 0.9175, macroF1: 0.9147, eceBefore: 0.0665, eceAfter: 0.0274, outOfScopeRecall: 0.963, inScopeFalseRejection: 0.0518 });
    expect(card.training).toMatchObject({ rows: 10271, parameters: 1904816, downloadBytes: 4371753 });
    expect(card.settings.find((setting) => setting.name === 'members')).toEqual({ name: 'members', value: '2', rule: 'two-model ensemble (+0.9 point over one model on the Banking77 demo split)' });
    expect(card.settings.find((setting) => setting.name === 'pretrained')?.value).toBe('on');
    expect(card.warnings).toEqual([]);
    expect(data.bots.map((bot) => bot.id)).toEqual(['banking77', 'bank-zh']);
    expect(data.bot).toEqual({ id: 'banking77', name: data.bots[0]!.name });
  });

  it('says how to run the audit when no report of this version is stored or written', async () => {
    const data = await modelPageData('banking77');
    expect(data.audit).toEqual({ kind: 'none', command: `npm run audit -- --model ${shownFolder()} --bot banking77` });
    expect(data.warnings).toEqual([]);
    expect(data.auditNotes).toEqual([]);
    expect(data.history).toEqual([]);
  });

  it("reads the version folder's audit.json only when it is of the active version: by its hash, else (an older report) by the card's version", async () => {
    writeFileSync(auditFile(), JSON.stringify(auditReportFixture({ version: 'an-older-model' })));
    let data = await modelPageData('banking77');
    expect(data.audit?.kind).toBe('none');
    expect(data.auditNotes).toEqual([expect.stringContaining(`is of model version an-older-model, not the version served (${demoHash.slice(0, 12)})`)]);
    // The card's version is the same, the hash another's: audit.json is no part of the hash, so it can be of another model.
    writeFileSync(auditFile(), JSON.stringify(auditReportFixture({ version: demoVersion, hash: 'f'.repeat(64) })));
    data = await modelPageData('banking77');
    expect(data.audit?.kind).toBe('none');
    expect(data.auditNotes).toEqual([expect.stringContaining(`is of model version ffffffffffff, not the version served (${demoHash.slice(0, 12)})`)]);

    writeFileSync(auditFile(), JSON.stringify(auditReportFixture({ version: demoVersion, seconds: 60 })));
    data = await modelPageData('banking77');
    expect(data.audit).toMatchObject({ kind: 'file', report: { seconds: 60 } });

    writeFileSync(auditFile(), JSON.stringify(auditReportFixture({ version: 'renamed-card', hash: demoHash, seconds: 61 })));
    data = await modelPageData('banking77');
    expect(data.audit).toMatchObject({ kind: 'file', file: `${shownFolder()}/audit.json` });
    expect(data.audit?.kind === 'file' && data.audit.report.seconds).toBe(61);
    expect(data.warnings.map((warning) => [warning.kind, warning.subject, warning.section])).toEqual([
      ['flip_rate', 'filler', 'audit-invariance'],
      ['flip_rate', 'name', 'audit-invariance'],
      ['disparate_impact', 'name_origin', 'audit-fairness'],
      ['missing_list', 'ages', 'audit-lists'],
    ]);
  });

  it('refuses an audit.json that is not a report, or too large to read, and says so', async () => {
    writeFileSync(auditFile(), JSON.stringify({ ...auditReportFixture({ version: demoVersion }), schema: 2 }));
    let data = await modelPageData('banking77');
    expect(data.audit?.kind).toBe('none');
    expect(data.auditNotes[0]).toMatch(/audit\.json is not an audit report this page can read \(schema: /);

    writeFileSync(auditFile(), '{"schema": 1,');
    data = await modelPageData('banking77');
    expect(data.auditNotes).toEqual([expect.stringMatching(/audit\.json is not JSON\.$/)]);

    writeFileSync(auditFile(), Buffer.alloc(MAX_AUDIT_FILE_BYTES + 1, 0x20));
    data = await modelPageData('banking77');
    expect(data.audit?.kind).toBe('none');
    expect(data.auditNotes).toEqual([expect.stringContaining('is larger than 8 MB and was not read')]);
  });

  it('shows the latest stored audit of the active version, before the file and over other versions', async () => {
    writeFileSync(auditFile(), JSON.stringify(auditReportFixture({ version: demoVersion, seconds: 61 })));
    const older = await storeAuditReport(auditReportFixture({ version: demoVersion, hash: demoHash, seconds: 70 }));
    const latest = await storeAuditReport(auditReportFixture({ version: demoVersion, hash: demoHash, seconds: 80 }));
    const otherVersion = await storeAuditReport(auditReportFixture({ version: 'a-newer-candidate', hash: 'c'.repeat(64), seconds: 90 }));
    // Stored before versions had hashes, under the card's version: not this version's any more.
    const byCardVersion = await storeAuditReport(auditReportFixture({ version: demoVersion, seconds: 95 }));
    const otherBot = await insertAudit({ botId: 'bank-zh', modelVersion: demoHash, report: auditReportFixture({ version: demoVersion, hash: demoHash, botId: 'bank-zh', seconds: 99 }), warnings: 4, seconds: 99 });
    await storedAt(older, '2026-11-30T09:00:00Z');
    await storedAt(latest, '2026-11-30T10:00:00Z');
    await storedAt(otherVersion, '2026-11-30T11:00:00Z');
    await storedAt(byCardVersion, '2026-11-30T11:30:00Z');
    await storedAt(otherBot, '2026-11-30T12:00:00Z');

    const data = await modelPageData('banking77');
    expect(data.audit).toMatchObject({ kind: 'stored', id: latest, storedAt: new Date('2026-11-30T10:00:00Z') });
    expect(data.audit?.kind === 'stored' && data.audit.report.seconds).toBe(80);
    expect(data.history.map((row) => [row.id, row.modelVersion, row.current, row.warnings])).toEqual([
      [byCardVersion, demoVersion, false, 4],
      [otherVersion, 'c'.repeat(64), false, 4],
      [latest, demoHash, true, 4],
      [older, demoHash, true, 4],
    ]);
  });

  it('says when the latest stored report cannot be read, and falls back to the file', async () => {
    const broken = await insertAudit({ botId: 'banking77', modelVersion: demoHash, report: { schema: 1, model: 'not an object' }, warnings: 0, seconds: 1 });
    await storedAt(broken, '2026-11-30T13:00:00Z');
    const data = await modelPageData('banking77');
    expect(data.audit?.kind).toBe('file');
    expect(data.auditNotes).toEqual([expect.stringMatching(/^The stored audit of 2026-11-30 13:00 UTC cannot be read \(/)]);
  });

  it('follows a promotion: the page shows the version promoted, its card and its audit', async () => {
    const candidateDir = path.join(scratch, `candidate-${provider}`);
    cpSync(demoDir, candidateDir, { recursive: true });
    const cardFile = path.join(candidateDir, 'model-card.json');
    writeFileSync(cardFile, JSON.stringify({ ...JSON.parse(readFileSync(cardFile, 'utf8')), version: 'candidate-2', temperature: 1.7 }));
    rmSync(path.join(candidateDir, 'audit.json'));
    const candidate = await registerVersion('banking77', candidateDir, { id: null, name: 'test' });
    expect((await modelPageData('banking77')).active!.hash).toBe(demoHash);
    const stored = await storeAuditReport(auditReportFixture({ version: 'candidate-2', hash: candidate.hash, seconds: 33 }));

    await promote('banking77', candidate.hash, { id: null, name: 'test' }, 'a better calibrated model');
    const data = await modelPageData('banking77');
    expect(data.active).toEqual({ hash: candidate.hash, source: 'registered' });
    expect(data.card).toMatchObject({ version: candidate.hash, cardVersion: 'candidate-2' });
    expect(data.modelPath).toBe(path.relative(process.cwd(), versionDir('banking77', candidate.hash)!));
    expect(data.audit).toMatchObject({ kind: 'stored', id: stored, report: { seconds: 33 } });
    expect(data.history.filter((row) => row.current).map((row) => row.id)).toEqual([stored]);
  });

  it('says so for a bot with no model version, and offers the known bots', async () => {
    // (Not bank-zh: the test run trains its fixture model into public/models/bank-zh/.)
    const data = await modelPageData('retired-bot');
    expect(data.bot).toEqual({ id: 'retired-bot', name: 'retired-bot' });
    expect(data.bots.map((bot) => bot.id)).toEqual(['banking77', 'bank-zh']);
    expect(data.card).toBeNull();
    expect(data.active).toBeNull();
    expect(data.audit).toBeNull();
    expect(data.cardProblem).toBe('No model version of this bot is stored, and this build ships none (public/models/retired-bot/).');
    expect(data.history).toEqual([]);
  });
});

describe('the page warnings', () => {
  it('adds every crossed threshold the report did not name, each linking to its section', () => {
    const report: AuditReport = { ...auditReportFixture({ version: 'v' }), warnings: [] };
    expect(pageWarnings(report).map((warning) => [warning.kind, warning.subject, warning.section, warning.message])).toEqual([
      ['flip_rate', 'filler', 'audit-invariance', 'Filler words: the answer changed for 5.8 % of 400 variants (over 5 %).'],
      ['flip_rate', 'name', 'audit-invariance', 'First names: the answer changed for 8.3 % of 600 variants (over 5 %).'],
      ['disparate_impact', 'name_origin', 'audit-fairness', 'Names by origin: Disparate Impact 0.76 is under 0.8 (the four-fifths rule).'],
      ['missing_list', 'ages', 'audit-lists', 'No ages word list for en: that suite did not run.'],
    ]);
  });

  it('trusts the figures when a flag is missing: a flip rate over 5 % or a DI under 0.8 is a warning', () => {
    const fixture = auditReportFixture({ version: 'v' });
    const report: AuditReport = {
      ...fixture,
      warnings: [],
      lists: { ...fixture.lists, missing: [] },
      invariance: fixture.invariance.map((row) => (row.type === 'typo' ? { ...row, flipRate: { value: 0.051, low: 0.03, high: 0.07 }, warn: false } : { ...row, warn: false, flipRate: { ...row.flipRate, value: Math.min(row.flipRate.value, 0.05) } })),
      fairness: fixture.fairness.map((row) => ({ ...row, fourFifthsViolated: false, disparateImpact: { ...row.disparateImpact, value: row.attribute === 'religion' ? 0.79 : 0.9 } })),
    };
    expect(pageWarnings(report).map((warning) => warning.subject)).toEqual(['typo', 'religion']);
  });

  it('gives nothing for a report within every threshold', () => {
    const fixture = auditReportFixture({ version: 'v' });
    const report: AuditReport = {
      ...fixture,
      warnings: [],
      lists: { ...fixture.lists, missing: [] },
      invariance: fixture.invariance.map((row) => ({ ...row, warn: false, flipRate: { value: 0.02, low: 0.01, high: 0.03 } })),
      fairness: fixture.fairness.map((row) => ({ ...row, fourFifthsViolated: false, disparateImpact: { value: 0.95, low: 0.9, high: 1 } })),
    };
    expect(pageWarnings(report)).toEqual([]);
  });
});

describe('which bot the page shows', () => {
  it('takes a known bot from ?bot=, and the chat bot for anything else', () => {
    expect(modelPageBotId('bank-zh')).toBe('bank-zh');
    expect(modelPageBotId('banking77')).toBe('banking77');
    for (const value of [undefined, '', '../../etc', 'BANKING77', ['bank-zh', 'banking77'], 'x'.repeat(10_000)]) expect(modelPageBotId(value)).toBe('banking77');
  });
});

describe('a worst flip explained by the demo model', () => {
  it("carries both texts' explanation objects from explainAll, and the model's own answers", async () => {
    const report = await withExplainedFlip(auditReportFixture({ version: demoVersion }), demoDir);
    expect(auditReportSchema.parse(report)).toEqual(report);
    const flip = report.worstFlips[0]!;
    expect([flip.original, flip.variant]).toEqual([EXPLAINED_FLIP.original, EXPLAINED_FLIP.variant]);
    // The demo model answers the two differently: that is why it is a flip.
    expect(flip.originalIntent).not.toBe(flip.variantIntent);
    expect(flip.variantP).toBeLessThan(flip.originalP);
    const sides = flipSides(flip)!;
    for (const side of [sides.original, sides.variant]) {
      const methods = (side.explanations as { method: string }[]).map((explanation) => explanation.method);
      expect(methods).toEqual(expect.arrayContaining(['attention', 'occlusion', 'lime']));
    }
    expect(sides.original.prediction).toEqual({ intent: flip.originalIntent, confidence: flip.originalP, topK: [{ intent: flip.originalIntent, probability: flip.originalP }] });
    expect(sides.variant.prediction.intent).toBe(flip.variantIntent);
    expect(sides.variant.prediction.confidence).toBeGreaterThan(0.5);
    expect(sides.variant.prediction.topK.map((entry) => entry.intent)).toEqual([flip.variantIntent, flip.originalIntent]);
    // A flip the audit did not explain has no panels.
    expect(flipSides(report.worstFlips[1]!)).toBeNull();
  });
});

describe("the interval chart's axis", () => {
  it('ends at a round figure at or just above the largest value', () => {
    expect([0.105, 0.083, 0.05, 0.051, 0.42, 1, 7].map(niceCeiling)).toEqual([0.15, 0.1, 0.05, 0.06, 0.5, 1, 8]);
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(niceCeiling(value)).toBe(1);
  });
});
