import { MASK } from '@/lib/bot/redact';
import type { AnyExplainer, ExplanationFrom, FitFacts, StringFieldKind } from '@/lib/explain';
import { descriptorOf, EXPLAINERS } from '@/lib/explain/methods';
import { maskedWordSpans } from '@/lib/model/spans';
import type { WordSpan } from '@/lib/model/types';
import type { ExplanationRecord } from '@/lib/records/explanation';

/** How the string fields every explanation has are made safe to store; each method adds its own (its descriptor's `stringFields`). */
const SHARED_STRING_FIELDS = {
  method: 'enum',
  'target.label': 'label',
  'words[].text': 'derived',
  'faithfulness.comprehensiveness[].k': 'enum',
  'faithfulness.sufficiency[].k': 'enum',
} as const satisfies Record<string, StringFieldKind>;

/**
 * How each string field of an explanation record for the methods of `list` is made safe to
 * store (see `RECORD_STRING_FIELDS` in ./redact-records.ts): the shared fields, then each
 * method's. Two methods sharing a path must classify it alike.
 */
export function explanationStringFieldsFor(list: readonly AnyExplainer[]): Readonly<Record<string, StringFieldKind>> {
  const fields: Record<string, StringFieldKind> = { ...SHARED_STRING_FIELDS };
  for (const descriptor of list) {
    for (const [path, kind] of Object.entries(descriptor.stringFields)) {
      if (fields[path] !== undefined && fields[path] !== kind) throw new Error(`${descriptor.method} classifies ${path} as ${kind}, another method as ${fields[path]}`);
      fields[path] = kind;
    }
  }
  return fields;
}

/** How each string field of an explanation record is made safe to store. */
export const EXPLANATION_STRING_FIELDS = explanationStringFieldsFor(EXPLAINERS);

/** An explanation fitted to its stored message, or what does not fit. */
export type FitResult<E = ExplanationRecord> = { ok: true; explanation: E } | { ok: false; problem: string };

/** Fits a posted explanation of one of `list`'s methods to the stored message it explains and the bot's model. */
export type Fitter<D extends AnyExplainer> = (posted: ExplanationFrom<D>, storedText: string, bot: FitFacts) => FitResult<ExplanationFrom<D>>;

/**
 * The fitting of posted explanations for the methods of `list`. The server derives, and does
 * not trust: the words are recomputed from the stored text (personal data already masked) with
 * the browser's own `wordSpans`, in the bot's language (`storedWords`), and a posted word must
 * have the same span and the same characters (the stored text's, or anything where it is
 * masked); what is stored is the stored text's words, so a masked card number stays masked
 * however the words were posted, and the stored words have the spans the panel showed. The target
 * label must be the model's, and its index is the label's. Then the method's own fit hook checks
 * its `extra` against the words and the model and replaces or masks any visitor text in it.
 */
export function fitterFor<D extends AnyExplainer>(list: readonly D[]): Fitter<D> {
  return (posted, storedText, bot) => {
    const descriptor: AnyExplainer | undefined = descriptorOf(list, posted.method);
    if (!descriptor) return { ok: false, problem: `method "${posted.method}" is not an explanation method` };
    const fitted = storedWords(posted.words, storedText, bot.language);
    if (!fitted.ok) return fitted;
    const { words } = fitted;
    const targetIndex = bot.labelIndex.get(posted.target.label);
    if (targetIndex === undefined) return { ok: false, problem: `target.label "${posted.target.label}" is not a label of the ${bot.botId} model` };
    const extra = descriptor.fitExtra(posted.extra, { storedText, words, bot, mask: MASK, target: posted.target.label });
    if (!extra.ok) return extra;
    // The hook returns its own method's `extra`: the explanation stays of the method it was.
    return { ok: true, explanation: { ...posted, words, target: { ...posted.target, index: targetIndex }, extra: extra.extra } as ExplanationFrom<D> };
  };
}

/** Fits a posted explanation to the message it explains, as stored, and the bot's model (`fitterFor` the app's explainers). */
export const fitExplanation: Fitter<(typeof EXPLAINERS)[number]> = fitterFor(EXPLAINERS);

/** UAX #29's word rules look at most this many characters either side of a boundary. */
const MASK_CONTEXT = 2;

/**
 * The stored message's words, as the browser cut them from the message before it was masked,
 * or why the posted ones are not them. Masked characters were letters or digits; they are cut
 * like the letters or digits kept beside them (`maskedWordSpans`), which gives the browser's
 * units for card numbers, phone numbers, IBANs and most addresses. How masked letters and
 * digits mixed around a '.' were cut ("j.smith1975.x@…"), the server cannot know: in the stretch within MASK_CONTEXT characters of a masked one, grown by every
 * word reaching into it, the posted units are taken (in order, without whitespace, covering
 * every letter, digit and masked character there, their text the stored text's); everywhere
 * else they must be the derived ones.
 */
export function storedWords(posted: readonly WordSpan[], storedText: string, locale: string): { ok: true; words: WordSpan[] } | { ok: false; problem: string } {
  const derived = maskedWordSpans(storedText, locale, MASK);
  let words = derived;
  if (storedText.includes(MASK)) {
    const order = misorderedWord(posted, storedText.length);
    if (order) return { ok: false, problem: order };
    const near = new Uint8Array(storedText.length);
    for (let i = 0; i < storedText.length; i++) {
      if (storedText[i] === MASK) near.fill(1, Math.max(0, i - MASK_CONTEXT), Math.min(storedText.length, i + MASK_CONTEXT + 1));
    }
    const touches = (word: WordSpan) => near.subarray(word.start, word.end).includes(1);
    // Grown until no word lies partly inside: each pass takes in at least one word, or stops.
    for (let grown = true; grown; ) {
      grown = false;
      for (const word of [...derived, ...posted]) {
        if (touches(word) && near.subarray(word.start, word.end).includes(0)) {
          near.fill(1, word.start, word.end);
          grown = true;
        }
      }
    }
    const inZone = posted.filter(touches);
    const zoneProblem = misfitZone(inZone, near, storedText);
    if (zoneProblem) return { ok: false, problem: zoneProblem };
    words = [...derived.filter((word) => !touches(word)), ...inZone.map((word) => ({ start: word.start, end: word.end, text: storedText.slice(word.start, word.end) }))];
    words.sort((a, b) => a.start - b.start);
  }
  const problem = misfitWord(posted, words, storedText);
  return problem ? { ok: false, problem } : { ok: true, words };
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/**
 * Why the posted words near masked characters cannot be the message's, or null: however they
 * were cut, words hold no whitespace, and every letter, digit and masked character there lies
 * in one of them (no word of the message is left out).
 */
function misfitZone(inZone: readonly WordSpan[], zone: Uint8Array, storedText: string): string | null {
  const covered = new Uint8Array(storedText.length);
  for (const word of inZone) {
    if (/\s/u.test(storedText.slice(word.start, word.end))) return `words: the word at ${word.start}–${word.end} holds whitespace`;
    covered.fill(1, word.start, word.end);
  }
  for (let i = 0; i < storedText.length; i++) {
    if (!zone[i] || covered[i]) continue;
    const ch = String.fromCodePoint(storedText.codePointAt(i)!);
    if (ch === MASK || WORD_CHARACTER.test(ch)) return `words: the message's character at ${i} lies in no posted word`;
  }
  return null;
}

/** Why the posted words are not in text order, or not inside a text of `length` characters, or null. */
function misorderedWord(posted: readonly WordSpan[], length: number): string | null {
  let end = 0;
  for (const [i, word] of posted.entries()) {
    if (word.start < end || word.end <= word.start || word.end > length) return `words[${i}] spans ${word.start}–${word.end}, which is not a word after the one before it in the message`;
    end = word.end;
  }
  return null;
}

/** Why the posted words are not the stored message's, or null when they fit. */
function misfitWord(posted: readonly WordSpan[], words: readonly WordSpan[], storedText: string): string | null {
  if (posted.length !== words.length) return `words: ${posted.length} words posted, but the message has ${words.length}`;
  for (let i = 0; i < words.length; i++) {
    const word = posted[i]!;
    const stored = words[i]!;
    if (word.start !== stored.start || word.end !== stored.end) {
      return `words[${i}] spans ${word.start}–${word.end}, but the message's word ${i} spans ${stored.start}–${stored.end}`;
    }
    if (word.text.length !== stored.end - stored.start) return `words[${i}].text is not the message's word ${i}`;
    for (let c = 0; c < word.text.length; c++) {
      const kept = storedText[stored.start + c];
      if (kept !== MASK && kept !== word.text[c]) return `words[${i}].text is not the message's word ${i}`;
    }
  }
  return null;
}
