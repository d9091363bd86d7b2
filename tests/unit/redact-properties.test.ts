import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digitValue, findPersonalData, MASK, redact } from '@/lib/bot/redact';

// Properties of the redaction scanner over random and adversarial text: it keeps the text's
// shape, it is idempotent, and its time is bounded whatever the input.

/** Pieces that make personal data, almost-personal data and everything that cuts it short. */
const PIECES = [
  // digits in several scripts (one astral: two code units each)
  '0', '1', '4', '7', '9', '４', '１', '٤', '١', '४', '१', '𝟒', '𝟏', '12', '4111', '0049', '030',
  // separators and leads
  ' ', '  ', '\u00a0', '\u3000', '\u200b', '\u2060', '\ufeff', '\t', '.', '-', '/', '(', ')', '+', '＋', '#', '．', '－', '／', '–',
  // what ends a number
  '\n', ',', ':', 'a', 'x', 'Z', 'ö', 'é', '\u0301', '日', 'ا',
  // e-mail and IBAN material
  '@', '＠', '﹫', '.com', '.de', '.co.uk', 'xn--', 'jöhn', 'mail', 'DE89', 'de89', 'GB82', 'WEST', 'iban', '3704', '0044', '0532', '0130', '00',
  // context words
  'tel ', 'call ', 'my number is ', 'order ', 'ref ', '#', 'Tel. ',
  // earlier redactions and other odd code units
  MASK, '••••', '\ud800', '\udc00', '😀',
];

const piece = fc.constantFrom(...PIECES);
const chatText = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));
/** Known personal data inside random text, so that masking happens often. */
const KNOWN = [
  '4111 1111 1111 1111', '4111111111111111', '5500-0000-0000-0004', '４１１１ １１１１ １１１１ １１１１', '٤١١١١١١١١١١١١١١١', '378282246310005',
  'DE89370400440532013000', 'DE89 3704 0044 0532 0130 00', 'gb82west12345698765432', 'jane.doe+bank@example.co.uk', 'jöhn@exämple.de',
  'john.doe＠example.com', '+44 20 7946 0958', '(030) 1234567', '030/12345678', '612345678', '０３０ １２３４５６７', '2024-05-01', '12.50',
];
const textWithData = fc
  .array(fc.oneof({ weight: 3, arbitrary: piece }, { weight: 1, arbitrary: fc.constantFrom(...KNOWN) }), { maxLength: 40 })
  .map((parts) => parts.join(''));
const anyText = fc.oneof(chatText, textWithData, fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 200 }));

/** Code point starting at i, or the lone surrogate there. */
const codePointAt = (text: string, i: number) => String.fromCodePoint(text.codePointAt(i)!);

describe('redaction keeps the text aligned', () => {
  it('keeps the length in UTF-16 code units, and every character it does not mask', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { text: out } = redact(text);
        expect(out).toHaveLength(text.length);
        for (let i = 0; i < text.length; i++) {
          if (out[i] === text[i]) continue;
          expect(out[i]).toBe(MASK);
          // Only letters, marks and digits are masked: separators and punctuation keep the shape.
          const high = i > 0 && /[\ud800-\udbff]/.test(text[i - 1]!) && /[\udc00-\udfff]/.test(text[i]!);
          expect(codePointAt(text, high ? i - 1 : i)).toMatch(/^[\p{L}\p{M}\p{N}]$/u);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reports sorted, disjoint redactions that cover every masked character', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { text: out, redactions } = redact(text);
        let last = 0;
        for (const r of redactions) {
          expect(r.start).toBeGreaterThanOrEqual(last);
          expect(r.end).toBeGreaterThan(r.start);
          last = r.end;
        }
        for (let i = 0; i < text.length; i++) {
          if (out[i] !== text[i]) expect(redactions.some((r) => r.start <= i && i < r.end)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent: redacting the output again changes nothing and finds nothing', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = redact(text).text;
        expect(redact(once).text).toBe(once);
        expect(findPersonalData(once)).toEqual([]);
      }),
      { numRuns: 5000 },
    );
  });

  it('is idempotent for each kind on its own', () => {
    fc.assert(
      fc.property(textWithData, fc.subarray(['card', 'iban', 'email', 'phone'] as const, { minLength: 1 }), (text, kinds) => {
        const once = redact(text, { kinds: [...kinds] }).text;
        expect(redact(once, { kinds: [...kinds] }).text).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Time

const SIZE = 64 * 1024;
const BUDGET_MS = 50;
const fill = (pattern: string) => (pattern.length === 0 ? 'x' : pattern).repeat(Math.ceil(SIZE / Math.max(1, pattern.length))).slice(0, SIZE);

/**
 * Milliseconds for one redaction of `text`: the best of five, so that a moment of the machine
 * being busy elsewhere (or a garbage collection) does not count as the scanner's cost.
 */
function redactMs(text: string): number {
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    redact(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const digitChars = ['1', '4', '0', '４', '٤', '४', '𝟏'];
const separatorChars = [' ', '  ', '.', '-', '/', '(', ')', '\u00a0', '\u200b', '．', '－'];
/** Patterns, each repeated to 64 KB (so that a failure reports the pattern, not 64 KB). */
const adversarial = {
  'long digit runs with a letter at the end': fc
    .tuple(fc.constantFrom(...digitChars), fc.integer({ min: 1, max: 4000 }), fc.constantFrom('a', 'x', 'é', '@', '+', ' '))
    .map(([digit, count, end]) => digit.repeat(count) + end),
  'separators between every digit': fc
    .array(fc.tuple(fc.constantFrom(...digitChars), fc.constantFrom(...separatorChars)), { minLength: 1, maxLength: 40 })
    .map((pairs) => pairs.map(([d, s]) => d + s).join('')),
  'many @ and dots': fc.array(fc.constantFrom('@', '＠', '.', 'a', 'ö', 'com', '-', '..', '@.', 'a.b'), { minLength: 1, maxLength: 40 }).map((p) => p.join('')),
  'touching long words': fc
    .tuple(fc.integer({ min: 1, max: 4000 }), fc.constantFrom('', '.', '@', '-', '_'))
    .map(([length, joint]) => 'w'.repeat(length) + joint),
  'IBAN-like letters and digits': fc
    .array(fc.constantFrom('DE89', 'de89', 'GB82', 'WEST', '3704', ' ', '.', 'DE', '89'), { minLength: 1, maxLength: 30 })
    .map((p) => p.join('')),
  'mixed scripts': fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
  'random code units': fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
  'random pieces': chatText,
  'personal data back to back': fc.array(fc.constantFrom(...KNOWN), { minLength: 1, maxLength: 10 }).map((p) => p.join(' ')),
};

describe('redaction time is bounded', () => {
  // Compiled and warm, as in a running server.
  for (let i = 0; i < 20; i++) redact(fill('call +44 20 7946 0958 or 4111 1111 1111 1111, mail jöhn@exämple.de, IBAN DE89370400440532013000. '));

  for (const [name, generator] of Object.entries(adversarial)) {
    it(`redacts any 64 KB of ${name} in under ${BUDGET_MS} ms`, () => {
      fc.assert(
        fc.property(generator, (pattern) => {
          const text = fill(pattern);
          expect(text).toHaveLength(SIZE);
          expect(redactMs(text)).toBeLessThan(BUDGET_MS);
        }),
        { numRuns: 15 },
      );
    });
  }

  it('finishes the reproducers of the backtracking and quadratic patterns at once', () => {
    // Phone pattern: 31 digits and a letter took minutes.
    expect(redactMs('ref ' + '1'.repeat(31) + 'a')).toBeLessThan(5);
    // E-mail pattern: 60 touching 2,000-letter words (as an explanation's words rebuild them) took 34 s.
    const words = Array.from({ length: 60 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(2000));
    for (const text of [words.join(''), words.join('.'), words.join('@'), words.join('.') + '@x']) {
      expect(text.length).toBeGreaterThanOrEqual(120_000);
      expect(redactMs(text)).toBeLessThan(2 * BUDGET_MS);
    }
  });
});

describe('digits of every script', () => {
  it('reads every \\p{Nd} character the engine knows as its digit value', () => {
    const decimal = /^\p{Nd}$/u;
    let count = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const isDigit = decimal.test(String.fromCodePoint(cp));
      const value = digitValue(cp);
      if (!isDigit) {
        if (value !== -1) throw new Error(`U+${cp.toString(16)} is no digit but reads as ${value}`);
        continue;
      }
      count++;
      if (value < 0 || value > 9) throw new Error(`U+${cp.toString(16)} reads as ${value}`);
      // Where Unicode folds the digit to ASCII, the values agree.
      const folded = String.fromCodePoint(cp).normalize('NFKC');
      if (/^[0-9]$/.test(folded) && Number(folded) !== value) throw new Error(`U+${cp.toString(16)} reads as ${value}, folds to ${folded}`);
    }
    expect(count).toBeGreaterThan(600);
    expect(['٤', '४', '４', '৪', '๔', '𝟒'].map((d) => digitValue(d.codePointAt(0)!))).toEqual([4, 4, 4, 4, 4, 4]);
  });
});
