import type { LogRow } from '@/lib/db/queries/admin';

/** RFC 4180 field: quoted when it holds a comma, quote or line break; cells that a spreadsheet would run as a formula are defused. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Training rows keep the text exactly as stored: the pipeline reads them, not a spreadsheet. */
export function trainingCsvField(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

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
