/**
 * Redacts personal data before anything is stored: card numbers (Luhn-checked), IBANs
 * (mod-97-checked), e-mail addresses and phone numbers. Every redaction keeps the text's
 * length and its spaces: each letter and digit of the match becomes '•' except a few kept
 * for context (a card's last four digits, an IBAN's country code), so words keep their
 * positions and explanations stay aligned with the words.
 * Order numbers, dates, amounts and times survive: they fail the checksums or the shapes.
 */
export type RedactionKind = 'card' | 'iban' | 'email' | 'phone';
export type RedactionOptions = { kinds?: RedactionKind[] };
export type Redaction = { kind: RedactionKind; start: number; end: number };

export const ALL_KINDS: RedactionKind[] = ['card', 'iban', 'email', 'phone'];
/** The character that replaces redacted letters and digits. */
export const MASK = '•';

function luhnValid(digits: string): boolean {
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

function ibanValid(raw: string): boolean {
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

type Finder = { kind: RedactionKind; pattern: RegExp; accept(match: string): boolean; keep(match: string): (index: number) => boolean };

const keepLastDigits = (count: number) => (match: string) => {
  const digitPositions = [...match].map((ch, i) => (/\d/.test(ch) ? i : -1)).filter((i) => i >= 0);
  const kept = new Set(digitPositions.slice(-count));
  return (index: number) => kept.has(index);
};

const FINDERS: Finder[] = [
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
    accept: ibanValid,
    keep: () => (index) => index < 2,
  },
  {
    kind: 'card',
    // 13–19 digits, optionally grouped by single spaces or dashes.
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    // Card numbers start with 2–6 (Mastercard, Visa, Amex, Discover, …).
    accept: (match) => /^[2-6]/.test(match) && luhnValid(match.replace(/\D/g, '')),
    keep: keepLastDigits(4),
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
    keep: keepLastDigits(2),
  },
];

/** Finds the personal data in a text, without overlaps, earliest first. */
export function findPersonalData(text: string, { kinds = ALL_KINDS }: RedactionOptions = {}): Redaction[] {
  const found: Redaction[] = [];
  const taken = (start: number, end: number) => found.some((r) => start < r.end && r.start < end);
  for (const finder of FINDERS) {
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

/** The text with its personal data masked, same length, same spaces. */
export function redact(text: string, options: RedactionOptions = {}): { text: string; redactions: Redaction[] } {
  const redactions = findPersonalData(text, options);
  if (redactions.length === 0) return { text, redactions };
  // Indices are UTF-16 code units, as are word spans everywhere else; every masked character
  // is one code unit, so lengths are kept.
  let out = text;
  for (const redaction of redactions) {
    const match = text.slice(redaction.start, redaction.end);
    const finder = FINDERS.find((f) => f.kind === redaction.kind)!;
    const keep = finder.keep(match);
    // Only letters and digits are masked: separators keep the shape ("•••• ••••-…", "…@….uk").
    const masked = [...match].map((ch, i) => (!/[\p{L}\p{N}]/u.test(ch) || keep(i) ? ch : MASK)).join('');
    out = out.slice(0, redaction.start) + masked + out.slice(redaction.end);
  }
  return { text: out, redactions };
}
