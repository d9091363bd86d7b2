import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@/lib/config';

describe('configuration', () => {
  it('defaults to the embedded SQLite database and migrations on start', () => {
    const config = parseConfig({});
    expect(config.DATABASE_URL).toBe('file:./data/glassdesk.db');
    expect(config.AUTO_MIGRATE).toBe(true);
  });

  it('accepts PostgreSQL URLs and boolean spellings', () => {
    const config = parseConfig({ DATABASE_URL: 'postgres://u:p@db.internal:5432/glassdesk', AUTO_MIGRATE: 'false' });
    expect(config.DATABASE_URL).toBe('postgres://u:p@db.internal:5432/glassdesk');
    expect(config.AUTO_MIGRATE).toBe(false);
  });

  it('tells the customer the team is busy after HANDOFF_BUSY_AFTER_S seconds, 120 unless set', () => {
    expect(parseConfig({}).HANDOFF_BUSY_AFTER_S).toBe(120);
    expect(parseConfig({ HANDOFF_BUSY_AFTER_S: '30' }).HANDOFF_BUSY_AFTER_S).toBe(30);
    for (const bad of ['0', '-5', '1.5', 'soon']) expect(() => parseConfig({ HANDOFF_BUSY_AFTER_S: bad }), bad).toThrow(ConfigError);
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', AUTO_MIGRATE: '' }).DATABASE_URL).toBe('file:./data/glassdesk.db');
  });

  it('names every invalid value, one sentence each', () => {
    let error: unknown;
    try {
      parseConfig({ DATABASE_URL: 'mysql://x', AUTO_MIGRATE: 'maybe', ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'short' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.find((p) => p.startsWith('DATABASE_URL'))).toContain('file:');
    expect(problems.find((p) => p.startsWith('AUTO_MIGRATE'))).toContain('true or false');
    expect(problems.find((p) => p.startsWith('ADMIN_EMAIL'))).toContain('e-mail');
    expect(problems.find((p) => p.startsWith('ADMIN_PASSWORD'))).toContain('12 characters');
  });

  it('redacts every kind of personal data unless told otherwise', () => {
    expect(parseConfig({}).REDACT_PII).toEqual(['card', 'iban', 'email', 'phone']);
    expect(parseConfig({ REDACT_PII: 'card, email' }).REDACT_PII).toEqual(['card', 'email']);
    expect(parseConfig({ REDACT_PII: 'none' }).REDACT_PII).toEqual([]);
    expect(() => parseConfig({ REDACT_PII: 'card,passport' })).toThrow(/REDACT_PII/);
  });

  it('refuses an admin e-mail without a password', () => {
    expect(() => parseConfig({ ADMIN_EMAIL: 'ops@bank.example' })).toThrow(/ADMIN_PASSWORD must be set/);
  });

  it('serves the demo bot unless DEFAULT_BOT names another bot this build has answers for', () => {
    expect(parseConfig({}).DEFAULT_BOT).toBe('banking77');
    expect(parseConfig({ DEFAULT_BOT: ' banking77 ' }).DEFAULT_BOT).toBe('banking77');
    expect(parseConfig({ DEFAULT_BOT: 'bank-zh' }).DEFAULT_BOT).toBe('bank-zh');
    let error: unknown;
    try {
      parseConfig({ DEFAULT_BOT: '../secrets' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['DEFAULT_BOT must name a bot this build has answers for (banking77, bank-zh) (got "../secrets")']);
  });
});
