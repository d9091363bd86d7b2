// `npm run train` audits the model it made on its validation rows and puts the summary in the
// model card; the validation rows it saved for that are gone afterwards. A tiny training run.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditReportSchema, auditSummarySchema } from '@/lib/audit/report';
import { cardAudit, parseModelCard } from '@/lib/model/card';
import { runTrain, syntheticCsv, tempDir } from '../model/helpers';

const TINY = ['--no-pretrained', '--hidden', '32', '--ff', '64', '--layers', '1', '--heads', '2', '--vocab-size', '300', '--epochs', '12', '--patience', '12', '--batch-size', '16', '--lr', '3e-3', '--members', '1', '--distill', '0', '--no-quantized', '--quiet'];
const splits = () => new Set(readdirSync(tmpdir()).filter((name) => name.startsWith('glassdesk-audit-split-')));

describe('the training hook', () => {
  it('writes the audit of the new model into its card, from its validation rows', () => {
    const dir = tempDir('train-audit');
    const data = path.join(dir, 'intents.csv');
    writeFileSync(data, syntheticCsv());
    const out = path.join(dir, 'model');
    const before = splits();
    const r = runTrain(['--data', data, '--out', out, '--seed', '7', '--val-frac', '0.25', '--test-frac', '0', ...TINY]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('audit:');

    const card = JSON.parse(readFileSync(path.join(out, 'model-card.json'), 'utf8'));
    const summary = auditSummarySchema.parse(card.audit);
    expect(cardAudit(parseModelCard(card))).toEqual(summary);
    const report = auditReportSchema.parse(JSON.parse(readFileSync(path.join(out, 'audit.json'), 'utf8')));
    expect(summary.created).toBe(report.createdAt);
    expect(report.data.source).toBe('file');
    // The validation split: a quarter of each intent's 30 rows.
    expect(report.data.rows).toBe(card.training.split.validation);
    expect(report.data.intents).toBe(4);
    expect(Object.keys(summary.flipRates)).toContain('typo');
    expect(report.model.version).toBe(card.created);
    expect(r.stdout).toContain('| typo ');
    // The scratch split it made for the audit is removed.
    expect([...splits()].filter((name) => !before.has(name))).toEqual([]);
    expect(existsSync(path.join(out, 'onnx', 'model.onnx'))).toBe(true);
  }, 600_000);
});
