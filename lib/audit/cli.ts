// `npm run audit -- --model DIR [--data FILE] [--bot ID] [--out FILE] [--no-store] [--json]`
// The behavioural audit of an exported model (lib/audit/audit.ts): prints its tables, writes the
// report as JSON (default <model>/audit.json) and stores it in the app's database (DATABASE_URL,
// as for the server) under the bot and the model's version (the content hash of its files, as the
// model store names it; the bot is --bot, else read from the folder's path: `public/models/<bot>/`
// or a store folder `<store>/<bot>/<hash>/`). Texts are masked (REDACT_PII)
// before anything is written or stored. Messages come from --data (labelled CSV or JSONL), else
// from the model's similar-questions index. --card also writes the report's summary into the
// model card (`audit`), as `npm run train` does for the model it made.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isBotId, shortVersion } from '@/lib/bot/registry';
import { runCli } from '@/lib/cli';
import { getConfig } from '@/lib/config';
import { connectDatabase } from '@/lib/db/client';
import { migrateDatabase } from '@/lib/db/migrate';
import { runAudit } from './audit';
import { messagesFromFile, messagesFromIndex } from './messages';
import { botIdOfModelFolder, openAuditModel } from './model';
import type { Progress } from './predictions';
import { formatReport } from './print';
import { cardWithAudit } from './card-summary';
import { maskReport } from './redact';
import { auditSummary } from './report';
import { storeAudit } from './store';

const USAGE =
  'Usage: npm run audit -- --model DIR [--data FILE] [--bot ID] [--out FILE] [--no-store] [--json] [--card] [--seed N] [--messages N] [--explanation-messages N] [--worst-flips N]';

function wholeNumber(value: string | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new Error(`--${name} must be a whole number, ${max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`}.`);
  return Number(value);
}

/** Progress on stderr: one line per suite, rewritten in place on a terminal, with the time left. */
function progressPrinter(stream: NodeJS.WriteStream): (progress: Progress) => void {
  let suite = '';
  let started = 0;
  let lastLine = 0;
  return ({ suite: name, done, total }) => {
    const now = performance.now();
    if (name !== suite) {
      if (suite && stream.isTTY) stream.write('\n');
      suite = name;
      started = now;
      lastLine = 0;
    }
    const eta = done > 0 && done < total ? ` · about ${Math.ceil(((now - started) / done) * (total - done) / 1000)} s left` : '';
    const line = `  ${name} ${done}/${total}${eta}`;
    if (stream.isTTY) stream.write(`\r\x1b[K${line}${done === total ? '\n' : ''}`);
    else if (done === 0 || done === total || now - lastLine > 10_000) {
      stream.write(`${line}\n`);
      lastLine = now;
    }
    if (done === total) suite = '';
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      bot: { type: 'string' },
      out: { type: 'string' },
      'no-store': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      card: { type: 'boolean', default: false },
      seed: { type: 'string' },
      messages: { type: 'string' },
      'explanation-messages': { type: 'string' },
      'worst-flips': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.model) {
    console.error(USAGE);
    return 2;
  }
  const seed = wholeNumber(values.seed, 'seed', 0);
  const messages = wholeNumber(values.messages, 'messages', 1);
  const explanationMessages = wholeNumber(values['explanation-messages'], 'explanation-messages', 0);
  const worstFlips = wholeNumber(values['worst-flips'], 'worst-flips', 0, 50);
  const dir = path.resolve(values.model);
  const botId = values.bot ?? botIdOfModelFolder(dir);
  if (values.bot !== undefined && !isBotId(values.bot)) throw new Error(`--bot ${values.bot}: not a bot id (letters, digits, _ and -).`);
  const store = !values['no-store'];
  if (store && !botId) throw new Error(`The path ${dir} names no bot: name the bot with --bot, or pass --no-store.`);
  // Read before the model loads: a bad setting stops the run at once.
  const { DATABASE_URL, REDACT_PII } = getConfig();

  const model = await openAuditModel(dir, botId ? { botId } : {});
  try {
    if (!model.fitsExplanations) console.error('note: no bot is named (--bot) or read from the folder\'s path, so the worst flips are kept without their explanations.');
    const fromFile = values.data !== undefined;
    const data = fromFile ? messagesFromFile(values.data!) : messagesFromIndex(dir, model.classifier.labels);
    if (!data) throw new Error(`${dir} has no similar-questions index to take messages from; name a labelled file with --data.`);
    const audited = await runAudit(
      { classifier: model.classifier, model: { name: model.name, version: model.cardVersion }, botId, data: { source: fromFile ? 'file' : 'similar-index', messages: data } },
      { seed, messages, explanationMessages, worstFlips, onProgress: progressPrinter(process.stderr) },
    );
    // The report names the version by its card and by its hash, which it is stored under: an id,
    // added after masking (hex digits can look like a phone number to the redaction).
    const unhashed = maskReport(audited, { kinds: REDACT_PII, fit: model.fit });
    const masked = { ...unhashed, model: { ...unhashed.model, hash: model.version } };

    const out = path.resolve(values.out ?? path.join(dir, 'audit.json'));
    mkdirSync(path.dirname(out), { recursive: true });
    // One line: the worst flips' explanations hold attention matrices, which indentation would triple.
    writeFileSync(out, `${JSON.stringify(masked)}\n`);
    if (values.card) {
      const cardFile = path.join(dir, 'model-card.json');
      writeFileSync(cardFile, cardWithAudit(readFileSync(cardFile, 'utf8'), auditSummary(masked)));
    }
    let stored: string | null = null;
    if (store) {
      await migrateDatabase(DATABASE_URL);
      const database = await connectDatabase(DATABASE_URL);
      try {
        stored = await storeAudit(masked, botId!, model.version);
      } finally {
        await database.$disconnect();
      }
    }
    if (values.json) console.log(JSON.stringify(masked, null, 2));
    else {
      console.log(formatReport(masked));
      const shown = path.relative(process.cwd(), out);
      console.log(`\nwrote ${shown && !shown.startsWith('..') ? shown : out}${values.card ? ' and the summary into the model card' : ''}${stored ? `; stored for bot ${botId}, model version ${shortVersion(model.version)}` : ''}`);
    }
    return 0;
  } finally {
    await model.dispose();
  }
}

runCli(main);
