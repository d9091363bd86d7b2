import { MASK } from '@/lib/bot/redact';
import type { AnyExplainer, ExplanationFrom, FitFacts, StringFieldKind } from '@/lib/explain';
import { descriptorOf, EXPLAINERS } from '@/lib/explain/methods';
import { wordSpans } from '@/lib/model/spans';
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
 * the browser's own `wordSpans`, and a posted word must have the same span and the same
 * characters (the stored text's, or anything where it is masked); what is stored is the stored
 * text's words, so a masked card number stays masked however the words were posted. The target
 * label must be the model's, and its index is the label's. Then the method's own fit hook checks
 * its `extra` against the words and the model and replaces or masks any visitor text in it.
 */
export function fitterFor<D extends AnyExplainer>(list: readonly D[]): Fitter<D> {
  return (posted, storedText, bot) => {
    const descriptor: AnyExplainer | undefined = descriptorOf(list, posted.method);
    if (!descriptor) return { ok: false, problem: `method "${posted.method}" is not an explanation method` };
    const words = wordSpans(storedText);
    const wordProblem = misfitWord(posted.words, words, storedText);
    if (wordProblem) return { ok: false, problem: wordProblem };
    const targetIndex = bot.labelIndex.get(posted.target.label);
    if (targetIndex === undefined) return { ok: false, problem: `target.label "${posted.target.label}" is not a label of the ${bot.botId} model` };
    const extra = descriptor.fitExtra(posted.extra, { storedText, words, bot, mask: MASK });
    if (!extra.ok) return extra;
    // The hook returns its own method's `extra`: the explanation stays of the method it was.
    return { ok: true, explanation: { ...posted, words, target: { ...posted.target, index: targetIndex }, extra: extra.extra } as ExplanationFrom<D> };
  };
}

/** Fits a posted explanation to the message it explains, as stored, and the bot's model (`fitterFor` the app's explainers). */
export const fitExplanation: Fitter<(typeof EXPLAINERS)[number]> = fitterFor(EXPLAINERS);

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
