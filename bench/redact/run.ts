// Redaction throughput: the linear-time scanner (lib/bot/redact.ts) against the regex version
// it replaced (copied below as `legacyRegexRedact`, unchanged but for its names), both measured
// in the same run on the same inputs:
//   - normal chat text: support messages, five in nineteen carrying a card number, an IBAN, an
//     e-mail address or a phone number, redacted one message at a time (as the server redacts
//     each turn) and as one long text (as a long explanation or feedback comment would be);
//   - adversarial text: the patterns that made the regexes backtrack or go quadratic, at sizes
//     the regex version still finishes in seconds, and the scanner's own worst cases (many '@',
//     a separator between every digit, non-ASCII digits and letters), where native regexes
//     that find nothing are faster than a scanner written in TypeScript.
// MB/s counts UTF-8 bytes of input per second of CPU time of this process (on a machine shared
// with other work, wall time also counts the waits for a core); each figure is the best of
// --reps runs (the least disturbed run is the closest to the cost). The old version's time grows
// exponentially or quadratically with those inputs, so its figures fall further with size.
//
//   npx tsx bench/redact/run.ts [--reps 7] [--chat-kb 64]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ALL_KINDS, MASK, redact, type Redaction, type RedactionKind } from '@/lib/bot/redact';

const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '7' },
    'chat-kb': { type: 'string', default: '64' },
  },
});
const reps = Number(values.reps);
const chatBytes = Number(values['chat-kb']) * 1024;

// ---------------------------------------------------------------------------------------------
// Baseline: lib/bot/redact.ts as it was before the scanner (commit 04b5ddc).

function legacyLuhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function legacyIbanValid(raw: string): boolean {
  const iban = raw.replace(/[\s-]/g, '').toUpperCase();
  if (iban.length < 15 || iban.length > 34) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

type LegacyFinder = { kind: RedactionKind; pattern: RegExp; accept(match: string): boolean; keep(match: string): (index: number) => boolean };

const legacyKeepLastDigits = (count: number) => (match: string) => {
  const digitPositions = [...match].map((ch, i) => (/\d/.test(ch) ? i : -1)).filter((i) => i >= 0);
  const kept = new Set(digitPositions.slice(-count));
  return (index: number) => kept.has(index);
};

const LEGACY_FINDERS: LegacyFinder[] = [
  {
    kind: 'email',
    pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    accept: () => true,
    // Keep the top-level domain: "…@….com" still reads as an address.
    keep: (match) => (index) => index > match.lastIndexOf('.'),
  },
  {
    kind: 'iban',
    pattern: /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?\b/gi,
    accept: legacyIbanValid,
    keep: () => (index) => index < 2,
  },
  {
    kind: 'card',
    // 13–19 digits, optionally grouped by single spaces or dashes.
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    // Card numbers start with 2–6 (Mastercard, Visa, Amex, Discover, …).
    accept: (match) => /^[2-6]/.test(match) && legacyLuhnValid(match.replace(/\D/g, '')),
    keep: legacyKeepLastDigits(4),
  },
  {
    kind: 'phone',
    // International or national numbers of 9–15 digits with common separators; not dates or amounts.
    pattern: /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d+(?:[\s.-]?\d+)*(?!\w)/g,
    accept: (match) => {
      const digits = match.replace(/\D/g, '');
      if (digits.length < 9 || digits.length > 15) return false;
      // Dates (2024-05-01, 01.05.2024) and decimal amounts are not phone numbers.
      if (/^\d{4}[-.]\d{2}[-.]\d{2}$|^\d{2}[-.]\d{2}[-.]\d{4}$/.test(match.trim())) return false;
      return match.trim().startsWith('+') || match.trim().startsWith('(') || /^0/.test(match.trim()) || /[\s.-]/.test(match.trim());
    },
    keep: legacyKeepLastDigits(2),
  },
];

function legacyFindPersonalData(text: string, kinds: RedactionKind[] = ALL_KINDS): Redaction[] {
  const found: Redaction[] = [];
  const taken = (start: number, end: number) => found.some((r) => start < r.end && r.start < end);
  for (const finder of LEGACY_FINDERS) {
    if (!kinds.includes(finder.kind)) continue;
    for (const match of text.matchAll(finder.pattern)) {
      const raw = match[0];
      // Trailing separators are not part of the number.
      const trimmed = raw.replace(/[\s.-]+$/, '');
      const start = match.index ?? 0;
      const end = start + trimmed.length;
      if (!finder.accept(trimmed) || taken(start, end)) continue;
      found.push({ kind: finder.kind, start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}


/** The regex version's redact(), as it was. */
function legacyRegexRedact(text: string): { text: string; redactions: Redaction[] } {
  const redactions = legacyFindPersonalData(text);
  if (redactions.length === 0) return { text, redactions };
  let out = text;
  for (const redaction of redactions) {
    const match = text.slice(redaction.start, redaction.end);
    const finder = LEGACY_FINDERS.find((f) => f.kind === redaction.kind)!;
    const keep = finder.keep(match);
    const masked = [...match].map((ch, i) => (!/[\p{L}\p{N}]/u.test(ch) || keep(i) ? ch : MASK)).join('');
    out = out.slice(0, redaction.start) + masked + out.slice(redaction.end);
  }
  return { text: out, redactions };
}

// ---------------------------------------------------------------------------------------------
// Inputs

const MESSAGES = [
  'I am still waiting on my card, it has been two weeks',
  'Why was I charged a fee of 2.50 for a transfer on 01.05.2024?',
  'My top-up of 100 EUR has not shown up yet',
  'How do I change my PIN?',
  'I think someone used my card in a shop I have never been to',
  'Can I get a virtual card for online shopping?',
  'The exchange rate I got on 2024-05-01 at 14:30 was wrong',
  'What is the limit for a cash withdrawal in one day?',
  'My order #123456 was refunded but the money is not back',
  'Please close my account, I am moving abroad',
  'Is there a fee for receiving 1,250.00 from another bank?',
  'The app says my transfer is pending since Monday',
  'I was charged 3 times, 25.99 each',
  'How long does a transfer from the UK take?',
  'my card 4111 1111 1111 1111 was declined at the airport',
  'please send it to DE89 3704 0044 0532 0130 00 today',
  'you can reach me at jane.doe+bank@example.co.uk',
  'call me back on +44 20 7946 0958 after five',
  'my number is 07700 900123, thanks',
];

const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Chat messages in turn, to at least `bytes` (14 plain ones, then 5 with personal data). */
function chatMessages(bytes: number): string[] {
  const messages: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const message = MESSAGES[i % MESSAGES.length]!;
    messages.push(message);
    size += utf8Bytes(message) + 1;
  }
  return messages;
}
const chatText = (bytes: number) => chatMessages(bytes).join('\n');

const repeatTo = (pattern: string, length: number) => pattern.repeat(Math.ceil(length / pattern.length)).slice(0, length);

/** One input: the texts redacted one after another, measured together. */
type Input = { name: string; texts: string[] };

const INPUTS: { group: string; inputs: Input[] }[] = [
  {
    group: 'normal chat text',
    inputs: [
      { name: 'support messages, one at a time', texts: chatMessages(chatBytes) },
      { name: 'support messages as one text', texts: [chatText(chatBytes)] },
    ],
  },
  {
    group: 'adversarial text',
    inputs: [
      // Issue #13, finding 1: each extra digit doubles the phone pattern's work.
      { name: 'reproducer: "ref " + 24 digits + "a"', texts: ['ref ' + '1'.repeat(24) + 'a'] },
      { name: '16-digit runs + letter, 4 KB', texts: [repeatTo('1'.repeat(16) + 'a ', 4096)] },
      // Finding 3: touching words make the e-mail pattern quadratic.
      { name: 'one 16 KB word (touching words)', texts: ['w'.repeat(16 * 1024)] },
      { name: '2,000-letter words joined by dots, 16 KB', texts: [repeatTo('w'.repeat(2000) + '.', 16 * 1024)] },
      { name: 'many @ and dots, 64 KB', texts: [repeatTo('a.b@c.d@', 64 * 1024)] },
      { name: 'separator between every digit, 64 KB', texts: [repeatTo('1 2.3-4 ', 64 * 1024)] },
      { name: 'mixed scripts and digits, 64 KB', texts: [repeatTo('٤١١١ abc ४१ ４１ ö@é.de 12.50 ', 64 * 1024)] },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Measuring

/** CPU milliseconds of `run`, the best of --reps. */
function bestMs(run: () => void): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const started = process.cpuUsage();
    run();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const countKinds = (redactions: Redaction[]) => {
  const counts = Object.fromEntries(ALL_KINDS.map((k) => [k, 0])) as Record<RedactionKind, number>;
  for (const r of redactions) counts[r.kind]++;
  return ALL_KINDS.map((k) => `${k} ${counts[k]}`).join(', ');
};

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x >= 0.01 ? x.toFixed(3) : x.toExponential(1));

// Warm both versions up (half a second each on chat messages), as in a running server: the
// first calls run unoptimised code.
const warm = chatMessages(4 * 1024);
for (const version of [redact, legacyRegexRedact]) {
  const started = performance.now();
  while (performance.now() - started < 500) for (const text of warm) version(text);
}

console.log(`# Redaction: linear scanner against the regex version, CPU time, best of ${reps}`);
console.log(`${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log('| input | size | regex MB/s (CPU ms) | scanner MB/s (CPU ms) | × faster |');
console.log('|---|---:|---:|---:|---:|');
const found: string[] = [];
for (const { group, inputs } of INPUTS) {
  console.log(`| **${group}** | | | | |`);
  for (const { name, texts } of inputs) {
    const bytes = texts.reduce((sum, text) => sum + utf8Bytes(text), 0);
    const oldMs = bestMs(() => texts.forEach((text) => legacyRegexRedact(text)));
    const newMs = bestMs(() => texts.forEach((text) => redact(text)));
    const size = bytes >= 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${bytes} B`;
    console.log(`| ${name} | ${size} | ${fmt(mbps(bytes, oldMs))} (${fmt(oldMs)}) | ${fmt(mbps(bytes, newMs))} (${fmt(newMs)}) | ${fmt(oldMs / newMs)} |`);
    if (group === 'normal chat text' && texts.length > 1) {
      found.push(
        `regex:   ${countKinds(texts.flatMap((text) => legacyRegexRedact(text).redactions))}`,
        `scanner: ${countKinds(texts.flatMap((text) => redact(text).redactions))}`,
      );
    }
  }
}
console.log(`\nFound in the normal chat text (the same data in both):\n  ${found.join('\n  ')}`);
