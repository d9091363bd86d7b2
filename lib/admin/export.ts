import { iterateTrainingRows, type LogRow } from '@/lib/db/queries/admin';
import { iterateResolvedHandoffs } from '@/lib/db/queries/handoffs';
import { trainingLabelOf } from '@/lib/handoff/rules';
import { activeBot } from '@/lib/verify/bots';

/** Characters that make a spreadsheet read a cell as a formula (or shift it into one) when they lead it. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field (RFC 4180), for every CSV export (the log and the training data): quoted when it
 * holds a comma, quote or line break or has leading or trailing spaces (kept, not trimmed by a
 * reader), and a text cell that a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+1`,
 * `-1+1`, `@SUM(…)`, a leading tab or CR) defused with a leading apostrophe, which spreadsheets
 * show as text. Numbers and dates are written as they are.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The training export: `text,intent`, the training pipeline's input format (training/README.md). */
export const trainingCsvHeader = () => 'text,intent\n';
export const trainingCsvLine = (row: { text: string; intent: string }) => `${csvField(row.text)},${csvField(row.intent)}\n`;

export const LOG_COLUMNS = [
  'id',
  'createdAt',
  'conversationId',
  'text',
  'intent',
  'confidence',
  'decision',
  'backend',
  'modelVersion',
  'latencyMs',
  'feedback',
  'reviewStatus',
  'reviewedIntent',
  'verification',
  'verifiedIntent',
  'minFaithfulness',
  'methodsDisagree',
] as const satisfies readonly (keyof LogRow)[];

export const csvHeader = () => `${LOG_COLUMNS.join(',')}\r\n`;
export const csvLine = (row: LogRow) => `${LOG_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`;
export const jsonLine = (row: LogRow) => `${JSON.stringify(Object.fromEntries(LOG_COLUMNS.map((column) => [column, row[column]])))}\n`;

/** Turns an async row source into a streamed response body. */
export function streamLines<T>(rows: AsyncIterable<T>, header: string, line: (row: T) => string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        if (header) controller.enqueue(encoder.encode(header));
      }
      let chunk = '';
      for (let i = 0; i < 500; i++) {
        const next = await iterator.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += line(next.value);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
}

/**
 * Every row of the training export: each message a reviewer marked correct or relabelled, then
 * each resolved hand-off's triggering message with the label the agent gave it
 * (lib/handoff/rules.ts `trainingLabelOf`: the intent, `new_topic.<slug>` for a new topic, the
 * bot's out-of-scope label for "not a support request").
 */
export async function* iterateTrainingExport(): AsyncGenerator<{ text: string; intent: string }> {
  yield* iterateTrainingRows();
  // Asked once per bot and export: its active model version names out of scope.
  const outOfScope = new Map<string, string>();
  for await (const row of iterateResolvedHandoffs()) {
    if (!outOfScope.has(row.botId)) outOfScope.set(row.botId, (await activeBot(row.botId)).reviewOutOfScopeLabel);
    const intent = trainingLabelOf(row, outOfScope.get(row.botId)!);
    if (intent) yield { text: row.text, intent };
  }
}
