import { describe, expect, it } from 'vitest';
import { csvField, csvHeader, csvLine, trainingCsvHeader, trainingCsvLine } from '@/lib/admin/export';
import { FilterError, parseLogQuery, rawParams, toSearchString } from '@/lib/admin/filters';
import { parseOverviewParams, parseQueueParams } from '@/lib/admin/overview-params';

describe('log filters in the URL', () => {
  it('defaults to newest first, 50 a page', () => {
    expect(parseLogQuery({})).toEqual({ sort: 'time', dir: 'desc', page: 1, size: 50 });
    expect(parseLogQuery({ sort: 'intent' })).toMatchObject({ sort: 'intent', dir: 'asc' });
  });

  it('reads every filter, ignoring empty fields as an unsubmitted form leaves them', () => {
    const query = parseLogQuery(
      new URLSearchParams('q=card&intent=card_arrival&decision=clarify&feedback=down&review=flagged&minConf=0.2&maxConf=0.8&from=2026-01-02&to=2026-01-03&faithBelow=0.1&disagree=yes&verification=mismatch&backend=&sort=confidence&dir=asc&page=3&size=25'),
    );
    expect(query).toEqual({
      q: 'card',
      intent: 'card_arrival',
      decision: 'clarify',
      feedback: 'down',
      review: 'flagged',
      minConf: 0.2,
      maxConf: 0.8,
      from: new Date('2026-01-02T00:00:00.000Z'),
      to: new Date('2026-01-03T23:59:59.999Z'),
      faithBelow: 0.1,
      disagree: 'yes',
      verification: 'mismatch',
      sort: 'confidence',
      dir: 'asc',
      page: 3,
      size: 25,
    });
  });

  it('names every invalid value', () => {
    try {
      parseLogQuery({ minConf: '1.5', decision: 'maybe', to: 'soon' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(FilterError);
      expect((error as FilterError).problems.map((p) => p.field).sort()).toEqual(['decision', 'minConf', 'to']);
    }
  });

  it('falls back to 50 for a page size it does not offer', () => {
    expect(parseLogQuery({ size: '37' }).size).toBe(50);
  });

  it('builds links with only the parameters that are set', () => {
    expect(toSearchString({ q: 'a b', page: undefined, intent: '', sort: 'time' })).toBe('?q=a+b&sort=time');
    expect(toSearchString({})).toBe('');
    expect(rawParams({ q: 'x', other: 'y', intent: ['a', 'b'], page: '' })).toEqual({ q: 'x', intent: 'a' });
  });

  it('reads the overview period and intent', () => {
    const now = new Date('2026-05-31T00:00:00Z');
    expect(parseOverviewParams({}, now)).toEqual({ period: '30', since: new Date('2026-05-01T00:00:00Z'), intent: undefined });
    expect(parseOverviewParams({ days: '7', intent: 'card_arrival' }, now)).toMatchObject({ period: '7', intent: 'card_arrival' });
    expect(parseOverviewParams({ days: '8', intent: 'x y' }, now)).toMatchObject({ period: '30', intent: undefined });
  });

  // Found by attack: `in` matched Object's own prototype, so `?days=constructor` was a period of NaN days, a 500.
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])('reads days=%s as the default period, looking at own keys only', (days) => {
    const now = new Date('2026-05-31T00:00:00Z');
    expect(parseOverviewParams({ days }, now)).toEqual({ period: '30', since: new Date('2026-05-01T00:00:00Z'), intent: undefined });
    expect(parseQueueParams({ days }, now)).toMatchObject({ days: '30' });
    // The log's filters: names of Object's prototype are neither filters nor a way to one.
    expect(rawParams({ [days]: 'x', q: 'y' })).toEqual({ q: 'y' });
    expect(parseLogQuery(new URLSearchParams([[days, 'x']]))).toEqual({ sort: 'time', dir: 'desc', page: 1, size: 50 });
  });
});

describe('queue parameters', () => {
  it('default to the first page of the last 30 days, and accept all time', () => {
    const now = new Date('2026-05-31T00:00:00Z');
    expect(parseQueueParams({}, now)).toEqual({ page: 1, days: '30', since: new Date('2026-05-01T00:00:00Z') });
    expect(parseQueueParams({ page: '3', days: 'all' }, now)).toEqual({ page: 3, days: 'all', since: undefined });
    expect(parseQueueParams({ page: '-2', days: '12' }, now)).toMatchObject({ page: 1, days: '30' });
  });
});

describe('exports', () => {
  it('quotes CSV fields per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, "b"')).toBe('"a, ""b"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField(null)).toBe('');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000Z');
  });

  it.each([
    ['=HYPERLINK("http://evil.example","click")', `"'=HYPERLINK(""http://evil.example"",""click"")"`],
    ['+1+1', "'+1+1"],
    ['-2-3', "'-2-3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', `"'\r=1+1"`],
  ])('defuses a cell that %j would start as a formula, in the log and the training export alike', (text, field) => {
    expect(csvField(text)).toBe(field);
    expect(trainingCsvLine({ text, intent: 'card_arrival' })).toBe(`${field},card_arrival\n`);
    // The label column too: an intent name may start with "-".
    expect(trainingCsvLine({ text: 'hello', intent: text })).toBe(`hello,${field}\n`);
  });

  it('writes training rows as text,intent, quoting where a reader would split or trim', () => {
    expect(trainingCsvHeader()).toBe('text,intent\n');
    expect(trainingCsvLine({ text: 'a, b', intent: 'x' })).toBe('"a, b",x\n');
    expect(trainingCsvLine({ text: ' padded ', intent: 'x' })).toBe('" padded ",x\n');
    expect(trainingCsvLine({ text: 'my card is 1-2 days late', intent: 'card_arrival' })).toBe('my card is 1-2 days late,card_arrival\n');
  });

  it('writes one line per row under the header', () => {
    const row = {
      id: 'p1',
      createdAt: new Date('2026-01-01T00:00:00Z'),
      conversationId: 'c1',
      text: 'hi, there',
      intent: 'greeting',
      confidence: 0.5,
      decision: 'answer' as const,
      backend: 'wasm' as const,
      modelVersion: 'v1',
      latencyMs: 3,
      feedback: null,
      reviewStatus: 'unreviewed' as const,
      reviewedIntent: null,
      verification: 'pending' as const,
      verifiedIntent: null,
      minFaithfulness: null,
      methodsDisagree: false,
    };
    expect(csvHeader()).toBe('id,createdAt,conversationId,text,intent,confidence,decision,backend,modelVersion,latencyMs,feedback,reviewStatus,reviewedIntent,verification,verifiedIntent,minFaithfulness,methodsDisagree\r\n');
    expect(csvLine(row)).toBe('p1,2026-01-01T00:00:00.000Z,c1,"hi, there",greeting,0.5,answer,wasm,v1,3,,unreviewed,,pending,,,false\r\n');
  });
});
