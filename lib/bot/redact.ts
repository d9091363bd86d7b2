/**
 * Redacts personal data before anything is stored: card numbers (Luhn-checked), IBANs
 * (mod-97-checked), e-mail addresses and phone numbers.
 *
 * One scanner, linear in the length of the text: every character is looked at a bounded
 * number of times, and no regular expression runs over more than one character (or a
 * window of at most CONTEXT_WINDOW characters). Hostile input cannot make it backtrack.
 *
 * The output keeps the text's length in UTF-16 code units and every character that is not
 * masked: each letter and digit of a match becomes '•' (a digit outside the BMP, two code
 * units, becomes two), except a few kept for context: a card's last four digits, an IBAN's
 * country code, an e-mail's top-level domain, a phone number's last two digits. So word
 * spans stay aligned with the words.
 *
 * What it reads as one number:
 * - digits are any Unicode decimal digit (\p{Nd}: ASCII, full-width ４, Arabic-Indic ٤,
 *   Devanagari ४, …), taken at their digit value;
 * - groups of digits are joined across a short gap (at most MAX_GAP code units, at most two
 *   punctuation marks) of spaces and other \p{Zs}, tabs, zero-width characters (U+200B–U+200D,
 *   U+2060, U+FEFF, soft hyphen), '.', '-', '/' (and their full-width and dash variants) and
 *   parentheses. A dot followed by a space ends a sentence and joins nothing; line breaks,
 *   commas, colons and letters end a number.
 * - dates (2024-05-01, 01.05.2024, 5/1/24, 05/2024), amounts and times (12.50, 1234.56,
 *   14.30), thousands (1.234.567) and IPv4 addresses, each written as one run of groups joined
 *   by single '.', '-' or '/', are never part of a card or a phone number.
 *
 * What it redacts:
 * - card: 13–19 digits that start with 2–6 and pass the Luhn check, whole groups of a number
 *   (so `card4111111111111111`, `4111.1111.1111.1111` and `4111  1111 …` are cards, while a
 *   20-digit number is not), not right after '+'.
 * - iban: two letters naming a country of the IBAN registry, two check digits, then exactly as
 *   many letters and digits as that country's IBAN has (gaps allowed between them), passing
 *   mod 97; upper or lower case, glued to letters before (`ibanDE89…`) but not to digits.
 * - email: a local part of letters, marks, digits and . _ % + - ' before '@' (or full-width
 *   '＠', small '﹫'), and a domain of at least two labels of letters, marks, digits and '-'
 *   (IDN included) whose last label is a top-level domain: two or more letters, or `xn--…`.
 *   Dots may be '.', '．', '。' or '｡'.
 * - phone: a number of which one of these holds (it has no date or amount in it):
 *   - it follows '+' (also '(+'): 8–15 digits (E.164);
 *   - it starts with '00': 10–17 digits (international prefix);
 *   - its first group is in parentheses, `(030) 1234567`: 9–13 digits;
 *   - otherwise, unless an order word decides against it (below): it starts with a trunk '0'
 *     and has 9–13 digits (`030/12345678`, `07700 900123`), or it is written in two or more
 *     groups and has 9–15 digits (`555-123-4567`, `612 34 56 78`);
 *   - a single run of 9–12 digits that starts with 1–9 (`612345678`) is as likely an order,
 *     account or reference number, so it is a phone number only when the words just before it
 *     say so: the nearest keyword in the CONTEXT_WINDOW characters before it (on its line) is
 *     a phone word (phone, tel, mobile, call, whatsapp, …), or there is no keyword but a weak
 *     one (number, nummer, número). An order word (order, ref, invoice, account, ticket,
 *     card, id, …) as the nearest keyword, or '#' just before, keeps any number that has no
 *     '+', '00' or '(…)' lead.
 *
 * What it does not find: numbers written in words, spread over lines or split by letters or
 * other punctuation; national numbers shorter than 9 digits; IBANs of countries outside the
 * registry or with a wrong length; e-mail addresses without a top-level domain
 * (`john@localhost`) or obfuscated (`john at example dot com`); names, postal addresses and
 * other identifiers. A '•' right after an e-mail domain or next to an IBAN reads as an earlier
 * redaction, so the scanner leaves that match alone: redacting twice changes nothing more.
 */
export type RedactionKind = 'card' | 'iban' | 'email' | 'phone';
export type RedactionOptions = { kinds?: RedactionKind[] };
export type Redaction = { kind: RedactionKind; start: number; end: number };

export const ALL_KINDS: RedactionKind[] = ['card', 'iban', 'email', 'phone'];
/** The character that replaces redacted letters and digits. */
export const MASK = '•';
const MASK_CODE = 0x2022;

/** The widest gap (code units) between two digit groups of one number. */
const MAX_GAP = 6;
/** How far (code units) before a number its context words are read. */
const CONTEXT_WINDOW = 48;

// ---------------------------------------------------------------------------------------
// Characters

/**
 * First code point of every block of ten decimal digits (\p{Nd}) in Unicode 15.1, sorted. By
 * Unicode's stability policy every such block runs from 0 to 9; a test checks this table
 * against the engine's \p{Nd}.
 */
const DIGIT_ZEROS = Int32Array.from([
  0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090,
  0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0,
  0xff10, 0x104a0, 0x10d30, 0x10d40, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x116d0, 0x116da,
  0x11730, 0x118e0, 0x11950, 0x11bf0, 0x11c50, 0x11d50, 0x11da0, 0x11de0, 0x11f50, 0x16130, 0x16a60, 0x16ac0, 0x16b50, 0x16d70, 0x1ccf0,
  0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e4f0, 0x1e5f1, 0x1e950, 0x1fbf0,
]);
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;
const LETTER = /^[\p{L}\p{M}]$/u;

/** The value of a decimal digit in any script, or -1. */
export function digitValue(cp: number): number {
  if (cp >= 0x30 && cp <= 0x39) return cp - 0x30;
  if (cp < 0x660) return -1;
  let lo = 0;
  let hi = DIGIT_ZEROS.length - 1;
  let zero = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (DIGIT_ZEROS[mid]! <= cp) {
      zero = DIGIT_ZEROS[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (zero >= 0 && cp - zero < 10) return cp - zero;
  return newerDigitValue(cp);
}

/** 0: not looked up yet, 1: not a digit, 2 + value: a digit. Bounded: one byte per code point. */
let newerDigits: Uint8Array | undefined;

/** Digits added to Unicode after DIGIT_ZEROS, as the engine knows them: each block starts at a zero. */
function newerDigitValue(cp: number): number {
  newerDigits ??= new Uint8Array(0x110000);
  const cached = newerDigits[cp]!;
  if (cached) return cached - 2;
  let value = -1;
  if (DECIMAL_DIGIT.test(String.fromCodePoint(cp))) {
    let first = cp;
    while (cp - first < 100 && DECIMAL_DIGIT.test(String.fromCodePoint(first - 1))) first--;
    value = (cp - first) % 10;
  }
  newerDigits[cp] = value + 2;
  return value;
}

const isAsciiLetter = (cp: number) => (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
const isAsciiAlnum = (cp: number) => isAsciiLetter(cp) || (cp >= 0x30 && cp <= 0x39);

/** Letters, marks and digits of any script: what masking replaces. */
function isWordChar(cp: number): boolean {
  if (cp < 0x80) return isAsciiAlnum(cp);
  if (cp === MASK_CODE) return false;
  return WORD_CHAR.test(String.fromCodePoint(cp));
}

function isLetter(cp: number): boolean {
  if (cp < 0x80) return isAsciiLetter(cp);
  if (cp === MASK_CODE) return false;
  return LETTER.test(String.fromCodePoint(cp));
}

/** Latin letters, ASCII or full-width, upper-cased to A–Z; otherwise -1. */
function latinLetter(cp: number): number {
  if (cp >= 0x41 && cp <= 0x5a) return cp;
  if (cp >= 0x61 && cp <= 0x7a) return cp - 0x20;
  if (cp >= 0xff21 && cp <= 0xff3a) return cp - 0xff21 + 0x41;
  if (cp >= 0xff41 && cp <= 0xff5a) return cp - 0xff41 + 0x41;
  return -1;
}

/** \p{Zs} and tab. */
const isSpacing = (cp: number) =>
  cp === 0x20 || cp === 0x09 || cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x202f || cp === 0x205f || cp === 0x3000;
const isInvisible = (cp: number) => (cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff || cp === 0xad || cp === 0x180e;
const isLineBreak = (cp: number) => cp === 0x0a || cp === 0x0d || cp === 0x0b || cp === 0x0c || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
const isWhitespace = (cp: number) => isSpacing(cp) || isLineBreak(cp);

// How two digit groups are joined: the same group, a loose gap, or one tight separator.
const SAME = 0;
const LOOSE = 1;
const DOT = 2;
const DASH = 3;
const SLASH = 4;

function tightKind(cp: number): number {
  if (cp === 0x2e || cp === 0xff0e) return DOT;
  if (cp === 0x2d || (cp >= 0x2010 && cp <= 0x2013) || cp === 0x2212 || cp === 0xff0d || cp === 0xfe63) return DASH;
  if (cp === 0x2f || cp === 0xff0f) return SLASH;
  return 0;
}
const isOpenParen = (cp: number) => cp === 0x28 || cp === 0xff08;
const isCloseParen = (cp: number) => cp === 0x29 || cp === 0xff09;
const isPlus = (cp: number) => cp === 0x2b || cp === 0xff0b;
const isHash = (cp: number) => cp === 0x23 || cp === 0xff03;
const isAt = (cp: number) => cp === 0x40 || cp === 0xff20 || cp === 0xfe6b;
const isDomainDot = (cp: number) => cp === 0x2e || cp === 0xff0e || cp === 0x3002 || cp === 0xff61;
const isLocalPunct = (cp: number) =>
  cp === 0x2e || cp === 0x5f || cp === 0x25 || cp === 0x2b || cp === 0x2d || cp === 0x27 || cp === 0xff0e || cp === 0xff3f || cp === 0xff0b || cp === 0xff0d;
const isLabelChar = (cp: number) => cp === 0x2d || cp === 0xff0d || isWordChar(cp);
const width = (cp: number) => (cp > 0xffff ? 2 : 1);

// ---------------------------------------------------------------------------------------
// Context words for numbers without a phone-shaped lead

const PHONE_WORDS = ['phone', 'tel', 'telephone', 'mobile', 'mob', 'cell', 'cellphone', 'call', 'ring', 'text', 'sms', 'whatsapp', 'fax', 'landline', 'contact', 'reach', 'dial'];
const PHONE_STEMS = ['phon', 'telef', 'teléf', 'mobil', 'móvil', 'movil', 'cellul', 'handy', 'whatsapp', 'rufnummer', 'portable', 'téléphon'];
const WEAK_PHONE_WORDS = ['number', 'nummer', 'numero', 'número', 'numéro'];
const ORDER_WORDS = ['id', 'ref', 'order', 'case', 'pin', 'cvv', 'otp', 'iban', 'bic', 'sku', 'claim', 'code', 'card', 'tan'];
const ORDER_STEMS = [
  'order', 'invoice', 'track', 'ticket', 'transact', 'booking', 'reserv', 'parcel', 'package', 'shipment', 'receipt', 'confirm', 'referen',
  'account', 'contract', 'polic', 'serial', 'customer', 'member', 'bestell', 'rechnung', 'kunden', 'konto', 'vertrag', 'sendung', 'pedido',
  'factur', 'commande', 'cuenta', 'compte', 'reclam',
];

type Cue = 'phone' | 'order' | 'weak' | 'none';

function classifyWord(word: string): Cue {
  if (ORDER_WORDS.includes(word) || ORDER_STEMS.some((s) => word.startsWith(s))) return 'order';
  if (PHONE_WORDS.includes(word) || PHONE_STEMS.some((s) => word.startsWith(s))) return 'phone';
  if (WEAK_PHONE_WORDS.includes(word)) return 'weak';
  return 'none';
}

// ---------------------------------------------------------------------------------------
// IBAN registry: country code → length.

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27,
  GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28,
  PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28,
  TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** IBAN_LENGTHS by the two letters' index (A = 0): 0 where no country has that code. */
const IBAN_LENGTH_BY_CODE = new Uint8Array(26 * 26);
for (const [code, length] of Object.entries(IBAN_LENGTHS)) IBAN_LENGTH_BY_CODE[(code.charCodeAt(0) - 65) * 26 + code.charCodeAt(1) - 65] = length;

// ---------------------------------------------------------------------------------------
// The scanner

/**
 * One pass per kind over the text, e-mails first, then IBANs, then numbers. Each pass reads
 * the text as the earlier passes (and its own earlier matches) left it: masked characters
 * read as '•'. A second run over the output therefore sees exactly what the first run saw
 * when it decided, which keeps redaction idempotent.
 */
class Scanner {
  readonly n: number;
  readonly masked: Uint8Array;
  found: Redaction[] = [];

  constructor(readonly text: string) {
    this.n = text.length;
    this.masked = new Uint8Array(text.length);
  }

  /** The code point starting at i as the scan sees it; -1 outside the text. */
  at(i: number): number {
    if (i < 0 || i >= this.n) return -1;
    if (this.masked[i]) return MASK_CODE;
    return this.text.codePointAt(i)!;
  }

  /** The code point ending at i (exclusive) as the scan sees it; -1 at the start. */
  before(i: number): number {
    if (i <= 0 || i > this.n) return -1;
    if (this.masked[i - 1]) return MASK_CODE;
    const low = this.text.charCodeAt(i - 1);
    if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
      const high = this.text.charCodeAt(i - 2);
      if (high >= 0xd800 && high <= 0xdbff) return ((high - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
    }
    return low;
  }

  /** Masks the letters, marks and digits in [start, end). */
  maskWords(start: number, end: number): void {
    for (let i = start; i < end; ) {
      const cp = this.at(i);
      const w = width(cp);
      if (isWordChar(cp)) for (let k = 0; k < w; k++) this.masked[i + k] = 1;
      i += w;
    }
  }

  // -------------------------------------------------------------------------------------
  // E-mail addresses

  emails(): void {
    const { n } = this;
    for (let at = 0; at < n; at++) {
      const c = this.text.charCodeAt(at);
      if (!isAt(c) || this.masked[at]) continue;
      // Local part, leftwards; it cannot cross another '@' or a masked character, so every
      // character is read by at most one '@' on each side.
      let localStart = at;
      let localHasWord = false;
      for (;;) {
        const cp = this.before(localStart);
        if (cp < 0 || !(isLocalPunct(cp) || isWordChar(cp))) break;
        if (isWordChar(cp)) localHasWord = true;
        localStart -= width(cp);
      }
      if (!localHasWord) continue;
      // Domain labels, rightwards.
      const labels: [number, number][] = [];
      let pos = at + 1;
      for (;;) {
        const labelStart = pos;
        let hasWord = false;
        for (;;) {
          const cp = this.at(pos);
          if (cp < 0 || !isLabelChar(cp)) break;
          if (cp !== 0x2d && cp !== 0xff0d) hasWord = true;
          pos += width(cp);
        }
        if (pos === labelStart) break;
        if (!hasWord) {
          labels.length = 0;
          break;
        }
        labels.push([labelStart, pos]);
        if (!isDomainDot(this.at(pos)) || !isLabelChar(this.at(pos + 1))) break;
        pos++;
      }
      if (labels.length < 2) continue;
      // Glued to a redaction: part of an address already masked; leave it alone.
      let after = labels[labels.length - 1]![1];
      while (isDomainDot(this.at(after))) after++;
      if (this.at(after) === MASK_CODE) continue;
      // "a@example.com.Next" or "a@b.com.x": drop trailing labels that are no top-level domain.
      while (labels.length > 2 && !this.isTopLevelDomain(...labels[labels.length - 1]!)) labels.pop();
      const tld = labels[labels.length - 1]!;
      if (!this.isTopLevelDomain(tld[0], tld[1])) continue;
      this.maskWords(localStart, at);
      this.maskWords(at + 1, tld[0]);
      this.found.push({ kind: 'email', start: localStart, end: tld[1] });
      at = tld[1] - 1;
    }
  }

  isTopLevelDomain(start: number, end: number): boolean {
    const label = this.text.slice(start, end);
    if (/^xn--/i.test(label.slice(0, 4))) return end - start > 4;
    let count = 0;
    for (let i = start; i < end; ) {
      const cp = this.at(i);
      if (!isLetter(cp)) return false;
      count++;
      i += width(cp);
    }
    return count >= 2;
  }

  // -------------------------------------------------------------------------------------
  // IBANs

  ibans(): void {
    const { n } = this;
    for (let i = 0; i + 4 <= n; i++) {
      // Cheapest tests first: a letter, then the first check digit.
      const a = latinLetter(this.at(i));
      if (a < 0) continue;
      const first = this.at(i + 2);
      const d1 = digitValue(first);
      if (d1 < 0) continue;
      const b = latinLetter(this.at(i + 1));
      if (b < 0) continue;
      const d2 = digitValue(this.at(i + 2 + width(first)));
      if (d2 < 0) continue;
      const length = IBAN_LENGTH_BY_CODE[(a - 65) * 26 + b - 65]!;
      if (!length) continue;
      // Not glued to a number or to a redaction.
      const prev = this.before(i);
      if (prev === MASK_CODE || digitValue(prev) >= 0) continue;
      const end = this.ibanEnd(i, length, a, b, d1, d2);
      if (end < 0) continue;
      this.maskWords(i + 2, end);
      this.found.push({ kind: 'iban', start: i, end });
      i = end - 1;
    }
  }

  /** The end of a valid IBAN of `length` characters starting at `start`, or -1. */
  ibanEnd(start: number, length: number, a: number, b: number, d1: number, d2: number): number {
    let pos = start + 2;
    pos += width(this.at(pos));
    pos += width(this.at(pos));
    let remainder = 0;
    for (let count = 4; count < length; count++) {
      let cp = this.at(pos);
      let value = digitValue(cp);
      let letter = latinLetter(cp);
      if (value < 0 && letter < 0) {
        // A gap between two characters of the IBAN.
        if (!this.gap(pos, false)) return -1;
        pos = this.gapEnd;
        cp = this.at(pos);
        value = digitValue(cp);
        letter = latinLetter(cp);
        if (value < 0 && letter < 0) return -1;
      }
      remainder = value >= 0 ? (remainder * 10 + value) % 97 : (remainder * 100 + letter - 55) % 97;
      pos += width(cp);
    }
    const next = this.at(pos);
    if (next === MASK_CODE || digitValue(next) >= 0) return -1;
    remainder = (remainder * 100 + a - 55) % 97;
    remainder = (remainder * 100 + b - 55) % 97;
    remainder = (remainder * 100 + d1 * 10 + d2) % 97;
    return remainder === 1 ? pos : -1;
  }

  /** Where the last gap read ends, its tight separator's kind (0 if none), whether it holds ')'. */
  gapEnd = 0;
  gapTight = 0;
  gapClose = false;

  /**
   * Reads the separators from `pos` (into gapEnd, gapTight, gapClose) and tells whether they
   * join two groups of one number: at most MAX_GAP code units, at most two punctuation marks,
   * and no dot next to a space (the end of a sentence). gapTight is the separator's kind when
   * the gap is that one character.
   */
  gap(pos: number, parens: boolean): boolean {
    let q = pos;
    let punct = 0;
    let spacing = 0;
    let dots = 0;
    let close = false;
    while (q - pos <= MAX_GAP) {
      const cp = this.at(q);
      if (cp < 0) break;
      const tight = tightKind(cp);
      if (isSpacing(cp)) spacing++;
      else if (tight) {
        punct++;
        if (tight === DOT) dots++;
      } else if (parens && (isOpenParen(cp) || isCloseParen(cp))) {
        punct++;
        if (isCloseParen(cp)) close = true;
      } else if (!isInvisible(cp)) break;
      q += width(cp);
    }
    const span = q - pos;
    this.gapEnd = q;
    this.gapTight = span === 1 ? tightKind(this.at(pos)) : 0;
    this.gapClose = close;
    return span >= 1 && span <= MAX_GAP && punct <= 2 && !(dots > 0 && spacing > 0);
  }

  // -------------------------------------------------------------------------------------
  // Numbers: cards and phones

  numbers(cards: boolean, phones: boolean): void {
    const { n } = this;
    let scan: ChainScan | undefined;
    for (let i = 0; i < n; ) {
      const cp = this.at(i);
      if (digitValue(cp) < 0) {
        i += width(cp);
        continue;
      }
      scan ??= new ChainScan(this, cards, phones);
      i = this.readChain(i, scan.c);
      scan.run();
    }
  }

  /** Reads the number starting at `start` into `chain`; returns where it ends. */
  readChain(start: number, chain: Chain): number {
    chain.reset();
    let pos = start;
    let brk = LOOSE;
    let close = false;
    for (;;) {
      for (;;) {
        const cp = this.at(pos);
        const value = digitValue(cp);
        if (value < 0) break;
        chain.push(pos, width(cp), value, brk, close);
        brk = SAME;
        close = false;
        pos += width(cp);
      }
      if (!this.gap(pos, true) || digitValue(this.at(this.gapEnd)) < 0) break;
      brk = this.gapTight || LOOSE;
      close = this.gapClose;
      pos = this.gapEnd;
    }
    chain.index();
    return pos;
  }

  /** The keyword nearest before `pos` on its line, read in plain words only. */
  context(pos: number): Cue {
    let weak = false;
    let i = pos;
    while (pos - i < CONTEXT_WINDOW) {
      const cp = this.before(i);
      if (cp < 0 || isLineBreak(cp) || cp === MASK_CODE || isAt(cp) || digitValue(cp) >= 0) break;
      if (!isLetter(cp)) {
        i -= width(cp);
        continue;
      }
      let start = i;
      for (;;) {
        const p = this.before(start);
        if (p < 0 || !isLetter(p) || pos - start >= CONTEXT_WINDOW) break;
        start -= width(p);
      }
      // A word glued to a dot, '@', '_', a digit or a redaction is part of a token (a domain,
      // an address, a code), not a word of the sentence.
      const glue = this.before(start);
      if (glue === MASK_CODE || isAt(glue) || isDomainDot(glue) || glue === 0x5f || digitValue(glue) >= 0) break;
      const cue = classifyWord(this.text.slice(start, i).toLowerCase());
      if (cue === 'phone' || cue === 'order') return cue;
      if (cue === 'weak') weak = true;
      i = start;
    }
    return weak ? 'weak' : 'none';
  }
}

/**
 * The digits of one number, flat, with how each joins the one before it. Typed arrays, reused
 * from number to number and grown by doubling.
 */
class Chain {
  /** Digits: position and width (code units), value, how digit k joins digit k - 1 (SAME,
   * LOOSE or a tight kind), whether that gap holds a ')', and the group of each digit. */
  pos = new Int32Array(0);
  len = new Uint8Array(0);
  val = new Uint8Array(0);
  brk = new Uint8Array(0);
  close = new Uint8Array(0);
  group = new Int32Array(0);
  /** Luhn sums with even (luhnEven) or odd (luhnOdd) digit indices doubled, as prefix sums. */
  luhnEven = new Int32Array(1);
  luhnOdd = new Int32Array(1);
  /** Groups: first digit, end digit (exclusive). */
  gStart = new Int32Array(0);
  gEnd = new Int32Array(0);
  /** Last group of the run of groups joined by single tight separators, per group. */
  runEnd = new Int32Array(0);
  /** Last group h such that every group after g up to h is '.' + three digits. */
  dot3End = new Int32Array(0);
  /** Groups that belong to a date, an amount, a time, … */
  prot = new Uint8Array(0);
  size = 0;
  groups = 0;

  private grow(): void {
    const capacity = Math.max(64, this.pos.length * 2);
    const keep = <T extends Int32Array | Uint8Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    this.pos = keep(this.pos, new Int32Array(capacity));
    this.len = keep(this.len, new Uint8Array(capacity));
    this.val = keep(this.val, new Uint8Array(capacity));
    this.brk = keep(this.brk, new Uint8Array(capacity));
    this.close = keep(this.close, new Uint8Array(capacity));
    // The rest is computed from these once the number is read.
    this.group = new Int32Array(capacity);
    this.luhnEven = new Int32Array(capacity + 1);
    this.luhnOdd = new Int32Array(capacity + 1);
    this.gStart = new Int32Array(capacity);
    this.gEnd = new Int32Array(capacity);
    this.runEnd = new Int32Array(capacity);
    this.dot3End = new Int32Array(capacity);
    this.prot = new Uint8Array(capacity);
  }

  reset(): void {
    this.size = 0;
    this.groups = 0;
  }

  push(pos: number, len: number, value: number, brk: number, close: boolean): void {
    if (this.size === this.pos.length) this.grow();
    const k = this.size++;
    this.pos[k] = pos;
    this.len[k] = len;
    this.val[k] = value;
    this.brk[k] = brk;
    this.close[k] = close ? 1 : 0;
  }

  index(): void {
    const m = this.size;
    let groups = 0;
    for (let k = 0; k < m; k++) {
      if (this.brk[k] !== SAME) {
        if (groups) this.gEnd[groups - 1] = k;
        this.gStart[groups++] = k;
      }
      this.group[k] = groups - 1;
      const v = this.val[k]!;
      const doubled = v * 2 > 9 ? v * 2 - 9 : v * 2;
      this.luhnEven[k + 1] = this.luhnEven[k]! + (k % 2 === 0 ? doubled : v);
      this.luhnOdd[k + 1] = this.luhnOdd[k]! + (k % 2 === 1 ? doubled : v);
    }
    this.gEnd[groups - 1] = m;
    this.groups = groups;
    for (let g = groups - 1; g >= 0; g--) {
      const joined = g + 1 < groups && this.brk[this.gStart[g + 1]!]! >= DOT;
      this.runEnd[g] = joined ? this.runEnd[g + 1]! : g;
      const dot3 = g + 1 < groups && this.brk[this.gStart[g + 1]!]! === DOT && this.gEnd[g + 1]! - this.gStart[g + 1]! === 3;
      this.dot3End[g] = dot3 ? this.dot3End[g + 1]! : g;
    }
    this.prot.fill(0, 0, groups);
  }

  /** Whether digits [a, b) pass the Luhn check. */
  luhn(a: number, b: number): boolean {
    // The last digit (b - 1) is not doubled, so digits of b's parity are.
    const sums = b % 2 === 0 ? this.luhnEven : this.luhnOdd;
    return (sums[b]! - sums[a]!) % 10 === 0;
  }

  /** The value of digits [a, b), for short groups. */
  value(a: number, b: number): number {
    let v = 0;
    for (let k = a; k < b; k++) v = v * 10 + this.val[k]!;
    return v;
  }
}

const isYear = (y: number) => y >= 1800 && y <= 2199;
const isMonth = (m: number) => m >= 1 && m <= 12;
const isDay = (d: number) => d >= 1 && d <= 31;

/**
 * Finds the cards and phone numbers of one number, left to right. A card found splits the
 * number: what lies before it is judged on its own, and the scan goes on from the card's kept
 * last digits, as a second run over the output would see them.
 */
class ChainScan {
  readonly c = new Chain();

  constructor(
    readonly s: Scanner,
    readonly cards: boolean,
    readonly phones: boolean,
  ) {}

  /** Marks the run from group g (its digits starting at `first`) when it is a date, amount, … */
  protectRun(g: number, first: number): void {
    const { c } = this;
    const last = c.runEnd[g]!;
    if (this.isProtectedShape(g, first, last) && this.isolated(first, c.gEnd[last]! - 1)) this.c.prot.fill(1, g, last + 1);
  }

  isProtectedShape(g: number, first: number, last: number): boolean {
    const { c } = this;
    const groups = last - g + 1;
    if (groups < 2) return false;
    // Group g's digits start at `first` (after a card, its kept digits); the others at gStart.
    const sep2 = c.brk[c.gStart[g + 1]!]!;
    const l1 = c.gEnd[g]! - first;
    const l2 = this.groupLength(g + 1);
    // Thousands: 1.234.567
    if (sep2 === DOT && l1 <= 3 && c.val[first] !== 0 && c.dot3End[g]! >= last) return true;
    if (groups === 2) {
      // Amounts and times: 12.50, 1234.5, 14.30
      if (sep2 === DOT && l2 <= 2) return true;
      // Month and year: 05/2024, 5.2024, 12/25
      if (l1 > 2 || !isMonth(c.value(first, c.gEnd[g]!))) return false;
      return (l2 === 4 && isYear(this.groupValue(g + 1))) || (l2 === 2 && sep2 === SLASH);
    }
    if (groups === 3) {
      if (c.brk[c.gStart[g + 2]!] !== sep2) return false;
      const l3 = this.groupLength(g + 2);
      if (l2 > 2 || (l1 !== 4 && l1 > 2)) return false;
      const n1 = c.value(first, c.gEnd[g]!);
      const n2 = this.groupValue(g + 1);
      const n3 = this.groupValue(g + 2);
      // 2024-05-01
      if (l1 === 4) return l3 <= 2 && isYear(n1) && isMonth(n2) && isDay(n3);
      // 01.05.2024, 5/1/24 (day and month either way round)
      return (l3 === 2 || (l3 === 4 && isYear(n3))) && isDay(n1) && isDay(n2) && (n1 <= 12 || n2 <= 12);
    }
    // IPv4: 192.168.100.200
    if (groups === 4) {
      if (l1 > 3 || c.value(first, c.gEnd[g]!) > 255) return false;
      for (let h = g + 1; h <= last; h++) if (c.brk[c.gStart[h]!] !== DOT || this.groupLength(h) > 3 || this.groupValue(h) > 255) return false;
      return true;
    }
    return false;
  }

  groupLength(h: number): number {
    return this.c.gEnd[h]! - this.c.gStart[h]!;
  }

  /** The value of group h (only called on groups of at most four digits). */
  groupValue(h: number): number {
    return this.c.value(this.c.gStart[h]!, this.c.gEnd[h]!);
  }

  /**
   * Whether a run from digit a to digit b stands on its own: no tight separator glues it to
   * something more (a separator then a space or the end does not glue: "paid 12.50.").
   */
  isolated(a: number, b: number): boolean {
    const { s, c } = this;
    const start = c.pos[a]!;
    const before = s.before(start);
    if (tightKind(before)) {
      const further = s.before(start - width(before));
      if (further >= 0 && !isWhitespace(further)) return false;
    }
    const end = c.pos[b]! + c.len[b]!;
    const after = s.at(end);
    if (tightKind(after)) {
      const further = s.at(end + width(after));
      if (further >= 0 && !isWhitespace(further)) return false;
    }
    return true;
  }

  /** Scans the number just read into `c`. */
  run(): void {
    const { c } = this;
    const { groups } = c;
    for (let g = 0; g < groups; g = c.runEnd[g]! + 1) this.protectRun(g, c.gStart[g]!);
    let pieceStart = 0;
    let g = 0;
    while (g < groups) {
      if (c.prot[g]) {
        this.piece(pieceStart, Math.max(pieceStart, c.gStart[g]!));
        g = c.runEnd[g]! + 1;
        pieceStart = g < groups ? c.gStart[g]! : c.size;
        continue;
      }
      const first = Math.max(c.gStart[g]!, pieceStart);
      const end = this.cards ? this.card(g, first) : -1;
      if (end < 0) {
        g++;
        continue;
      }
      this.piece(pieceStart, first);
      this.mask('card', first, end, 4);
      // Go on from the kept digits, which now follow a mask.
      pieceStart = end - 4;
      g = c.group[pieceStart]!;
      this.protectRun(g, pieceStart);
    }
    this.piece(pieceStart, c.size);
  }

  /** The end (digit index) of the longest card starting at digit `first` of group g, or -1. */
  card(g: number, first: number): number {
    const { c, s } = this;
    const lead = c.val[first]!;
    if (lead < 2 || lead > 6 || isPlus(s.before(c.pos[first]!))) return -1;
    let best = -1;
    for (let h = g; h < c.groups && !c.prot[h]; h++) {
      const end = c.gEnd[h]!;
      const digits = end - first;
      if (digits > 19) break;
      if (digits >= 13 && c.luhn(first, end)) best = end;
    }
    return best;
  }

  /** Judges digits [a, b) as a phone number. */
  piece(a: number, b: number): void {
    if (!this.phones || b - a < 8 || b - a > 17) return;
    const { c, s } = this;
    const digits = b - a;
    const start = c.pos[a]!;
    // Lead: '+', '(' or '(+' right before the first digit.
    let spanStart = start;
    let plus = false;
    let paren = false;
    const lead = s.before(start);
    if (isPlus(lead)) {
      plus = true;
      spanStart = start - 1;
      if (isOpenParen(s.before(spanStart))) spanStart--;
    } else if (isOpenParen(lead)) {
      let firstGroupEnd = a + 1;
      while (firstGroupEnd < b && c.brk[firstGroupEnd] === SAME) firstGroupEnd++;
      paren = firstGroupEnd < b && c.close[firstGroupEnd] === 1;
      if (paren) {
        spanStart = start - 1;
        if (isPlus(s.before(spanStart))) {
          plus = true;
          spanStart--;
        }
      }
    }
    let phone: boolean;
    if (plus) phone = digits >= 8 && digits <= 15;
    else if (this.hashBefore(start)) phone = false;
    else if (c.val[a] === 0 && c.val[a + 1] === 0) phone = digits >= 10 && digits <= 17;
    else if (paren) phone = digits >= 9 && digits <= 13;
    else if (digits < 9 || digits > 15) phone = false;
    else {
      const cue = s.context(start);
      let grouped = false;
      for (let k = a + 1; k < b && !grouped; k++) grouped = c.brk[k] !== SAME;
      if (cue === 'order') phone = false;
      else if (c.val[a] === 0) phone = digits <= 13;
      else if (grouped) phone = true;
      else phone = digits <= 12 && (cue === 'phone' || cue === 'weak');
    }
    if (phone) this.mask('phone', a, b, 2, spanStart);
  }

  hashBefore(start: number): boolean {
    const { s } = this;
    let i = start;
    for (let steps = 0; steps < 4; steps++) {
      const cp = s.before(i);
      if (isHash(cp)) return true;
      if (!isSpacing(cp)) return false;
      i -= width(cp);
    }
    return false;
  }

  /** Masks digits [a, b) but the last `keep`, and records the match. */
  mask(kind: RedactionKind, a: number, b: number, keep: number, spanStart = this.c.pos[a]!): void {
    const { c, s } = this;
    for (let k = a; k < b - keep; k++) {
      s.masked[c.pos[k]!] = 1;
      if (c.len[k] === 2) s.masked[c.pos[k]! + 1] = 1;
    }
    const end = c.pos[b - 1]! + c.len[b - 1]!;
    s.found.push({ kind, start: spanStart, end });
  }
}

/** Finds the personal data in a text, without overlaps, earliest first. */
export function findPersonalData(text: string, options: RedactionOptions = {}): Redaction[] {
  return scan(text, options).found;
}

function scan(text: string, { kinds = ALL_KINDS }: RedactionOptions): Scanner {
  const scanner = new Scanner(text);
  if (kinds.includes('email')) scanner.emails();
  if (kinds.includes('iban')) scanner.ibans();
  if (kinds.includes('card') || kinds.includes('phone')) scanner.numbers(kinds.includes('card'), kinds.includes('phone'));
  scanner.found.sort((x, y) => x.start - y.start);
  // Kept context can start another match: addresses glued together ("a@b.dea@c.de") share the
  // top-level domain, a card's kept digits can begin a phone number, "a@b.xn--4111 1111 …" a
  // card. The later match masks them; the earlier one's span already covers them.
  let end = 0;
  scanner.found = scanner.found.filter((r) => {
    r.start = Math.max(r.start, end);
    end = Math.max(end, r.end);
    return r.start < r.end;
  });
  return scanner;
}

/** The text with its personal data masked, same length, same spaces. */
export function redact(text: string, options: RedactionOptions = {}): { text: string; redactions: Redaction[] } {
  const scanner = scan(text, options);
  const redactions = scanner.found;
  if (redactions.length === 0) return { text, redactions };
  // Indices are UTF-16 code units, as are word spans everywhere else: one '•' per code unit.
  const { masked } = scanner;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (!masked[i]) continue;
    let j = i;
    while (j < text.length && masked[j]) j++;
    out += text.slice(from, i) + MASK.repeat(j - i);
    from = j;
    i = j - 1;
  }
  return { text: out + text.slice(from), redactions };
}
