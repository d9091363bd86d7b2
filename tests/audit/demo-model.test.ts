// `npm run audit` end to end on the real demo model, on a small labelled file whose messages hold
// e-mail addresses: the report parses with its schema, every text in the JSON and in the stored
// row is masked, and the stored report is the latest of the model's version (its content hash).
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MASK, redact } from '@/lib/bot/redact';
import { connectDatabase, db } from '@/lib/db/client';
import { latestAudit } from '@/lib/db/queries/audits';
import { cardAudit, modelVersion } from '@/lib/model/card';
import { readModelCard } from '@/lib/model/node';
import { latestAuditReport } from '@/lib/audit/store';
import { botIdOfModelFolder, openAuditModel } from '@/lib/audit/model';
import { auditReportSchema } from '@/lib/audit/report';
import { contentHash } from '@/lib/model/versions';
import { createScratchDatabase } from '../support/databases';
import { demoModel, repo, tempDir } from '../model/helpers';

const EMAILS = ['anna.smith@example.com', 'j.doe@mail.example.org', 'maria.garcia@example.net', 'kwame.k@example.co.uk'];
const ROWS = [
  [`My email is ${EMAILS[0]} and my card has not arrived yet`, 'card_arrival'],
  [`I changed my address, write to ${EMAILS[1]} from now on`, 'edit_personal_details'],
  [`Please send the statement to ${EMAILS[2]}, why was I charged a fee for my transfer?`, 'transfer_fee_charged'],
  [`This is ${EMAILS[3]}: I want to cancel the transfer I made today`, 'cancel_transfer'],
  [`My email is ${EMAILS[0]}. How do I top up with my card?`, 'top_up_by_card_charge'],
  [`Reply to ${EMAILS[1]}: my card payment was declined`, 'declined_card_payment'],
  [`Contact me at ${EMAILS[2]}, my PIN is blocked`, 'pin_blocked'],
  [`I lost my card, my email is ${EMAILS[3]}`, 'lost_or_stolen_card'],
];

describe('npm run audit on the demo model', () => {
  const dir = tempDir('audit');
  afterAll(async () => {
    await db().$disconnect();
  });

  it('writes and stores a masked report that parses, the latest of the model version', async () => {
    const database = await createScratchDatabase('sqlite');
    const data = path.join(dir, 'rows.csv');
    writeFileSync(data, ['text,intent', ...ROWS.map(([text, intent]) => `"${text}",${intent}`)].join('\n'));
    const out = path.join(dir, 'audit.json');
    const run = spawnSync(
      process.execPath,
      [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), '--conditions', 'react-server', 'lib/audit/cli.ts', '--model', demoModel, '--data', data, '--out', out, '--messages', '8', '--explanation-messages', '2', '--worst-flips', '3'],
      { cwd: repo, encoding: 'utf8', env: { ...process.env, DATABASE_URL: database.url, REDACT_PII: 'card,iban,email,phone' } },
    );
    expect(run.stderr).toContain('identity');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('| type ');
    const version = contentHash(demoModel);
    expect(run.stdout).toContain(`stored for bot banking77, model version ${version.slice(0, 12)}`);

    const json = readFileSync(out, 'utf8');
    const report = auditReportSchema.parse(JSON.parse(json));
    expect(report.data).toMatchObject({ source: 'file', rows: 8, sampled: 8 });
    expect(report.botId).toBe('banking77');
    // The report names the version by its card and by its hash.
    expect(report.model).toMatchObject({ name: 'banking77', version: modelVersion(readModelCard(demoModel)!), hash: version });
    expect(report.invariance.length).toBeGreaterThanOrEqual(10);
    expect(report.fairness.length).toBe(6);
    // Every message holds an address, so every flip's texts are masked ones, and so are their explanations' words.
    expect(report.worstFlips.length).toBeGreaterThan(0);
    for (const flip of report.worstFlips) {
      expect(flip.original).toContain(MASK);
      expect(flip.variant).toContain(MASK);
      const explained = flip.explanations!.original as { method: string; words: { text: string }[] }[];
      expect(explained.map((explanation) => explanation.method)).toContain('lime');
      expect(explained[0]!.words.map((word) => word.text).join(' ')).toContain(MASK);
    }
    for (const email of EMAILS) {
      expect(json).not.toContain(email);
      expect(json).not.toContain(email.split('@')[0]);
    }

    await connectDatabase(database.url);
    const row = await latestAudit('banking77', version);
    expect(row).not.toBeNull();
    expect(row!.warnings).toBe(report.warnings.length);
    const stored = JSON.stringify(row!.report);
    for (const email of EMAILS) expect(stored).not.toContain(email.split('@')[0]);
    expect(row!.report).toEqual(report);
    expect(await latestAuditReport('banking77', version)).toEqual(report);
    expect(await latestAuditReport('banking77', 'another version')).toBeNull();
    // Not under the card's version any more: the store goes by hash.
    expect(await latestAuditReport('banking77', modelVersion(readModelCard(demoModel)!))).toBeNull();
    await database.drop();
  }, 300_000);

  it('opens a model store folder as the version it is of: the bot from its path, the hash, and explanations fitted as the server fits them', async () => {
    const version = contentHash(demoModel);
    const storeFolder = path.join(dir, 'store', 'banking77', version);
    cpSync(demoModel, storeFolder, { recursive: true });
    expect(botIdOfModelFolder(storeFolder)).toBe('banking77');
    expect(botIdOfModelFolder(demoModel)).toBe('banking77');
    expect(botIdOfModelFolder(path.join(dir, 'store', '..bad', version))).toBeNull();
    expect(botIdOfModelFolder(path.join(dir, 'not a bot'))).toBeNull();

    const model = await openAuditModel(storeFolder);
    try {
      expect(model).toMatchObject({ botId: 'banking77', version, cardVersion: modelVersion(readModelCard(demoModel)!), fitsExplanations: true });
      const text = `My email is ${EMAILS[0]} and my card has not arrived yet`;
      const [probabilities] = await model.classifier.predict([text]);
      const target = probabilities!.indexOf(Math.max(...probabilities!));
      const [occlusion] = (await model.classifier.explain!(text, target, 1000, model.classifier.predict)).filter((explanation) => explanation.method === 'occlusion');
      const masked = redact(text).text;
      expect(masked).not.toContain('anna');
      const fitted = model.fit(occlusion, masked) as { words: { text: string }[] } | null;
      expect(fitted).not.toBeNull();
      expect(fitted!.words.map((word) => word.text).join(' ')).toContain(MASK);
      expect(JSON.stringify(fitted)).not.toContain('anna');
    } finally {
      await model.dispose();
    }
    // A folder whose path names no bot: the bot given, else no fitting.
    const loose = path.join(dir, 'some model');
    cpSync(demoModel, loose, { recursive: true });
    const unnamed = await openAuditModel(loose);
    const named = await openAuditModel(loose, { botId: 'banking77' });
    try {
      expect([unnamed.botId, unnamed.fitsExplanations, unnamed.version]).toEqual([null, false, version]);
      expect([named.botId, named.fitsExplanations]).toEqual(['banking77', true]);
    } finally {
      await unnamed.dispose();
      await named.dispose();
    }
  });

  it('the demo model’s card carries the summary of the committed audit', () => {
    const card = readModelCard(demoModel)!;
    const summary = cardAudit(card);
    expect(summary).not.toBeNull();
    const committed = auditReportSchema.parse(JSON.parse(readFileSync(path.join(demoModel, 'audit.json'), 'utf8')));
    expect(committed.model.version).toBe(modelVersion(card));
    expect(summary!.created).toBe(committed.createdAt);
    expect(cardAudit({ raw: { audit: { created: 'x' } } })).toBeNull();
  });
});
