import { describe, expect, it } from 'vitest';
import { findPersonalData, redact } from '@/lib/bot/redact';

const kinds = (text: string) => findPersonalData(text).map((r) => r.kind);

describe('personal data redaction', () => {
  it('masks card numbers that pass the Luhn check, keeping the last four digits', () => {
    expect(redact('my card 4111 1111 1111 1111 was declined').text).toBe('my card •••• •••• •••• 1111 was declined');
    expect(redact('card 5500-0000-0000-0004 please').text).toBe('card ••••-••••-••••-0004 please');
    expect(redact('number 4111111111111111').text).toBe('number ••••••••••••1111');
  });

  it('leaves 16-digit numbers that fail the Luhn check, order numbers, amounts, dates and times', () => {
    for (const text of [
      'reference 4111 1111 1111 1112',
      'order #123456789 has not arrived',
      'I paid £1,250.00 on 2024-05-01 at 14:30',
      'transfer of 12345.67 EUR on 01.05.2024',
      'my PIN 1234 is blocked',
      'I was charged 3 times, 25.99 each',
    ]) {
      expect(redact(text).text, text).toBe(text);
    }
  });

  it('masks valid IBANs, grouped or not, and keeps the country code', () => {
    expect(redact('send to GB82 WEST 1234 5698 7654 32 today').text).toBe('send to GB•• •••• •••• •••• •••• •• today');
    expect(redact('IBAN DE89370400440532013000').text).toBe('IBAN DE••••••••••••••••••••');
    // A wrong check digit: not an IBAN (its digit groups may still read as a phone number).
    expect(findPersonalData('not an iban GB82 WEST 1234 5698 7654 33').map((r) => r.kind)).not.toContain('iban');
    // 14 digits that pass the Luhn check but cannot start a card number.
    expect(findPersonalData('id 1234 5698 7654 33').map((r) => r.kind)).not.toContain('card');
  });

  it('masks e-mail addresses but keeps @ and the top-level domain', () => {
    expect(redact('write to jane.doe+bank@example.co.uk now').text).toBe('write to ••••.•••+••••@•••••••.••.uk now');
  });

  it('masks phone numbers, keeping the last two digits', () => {
    expect(redact('call me on +44 20 7946 0958').text).toBe('call me on +•• •• •••• ••58');
    expect(redact('my number is 07700 900123').text).toBe('my number is ••••• ••••23');
    expect(redact('phone (555) 123-4567 evenings').text).toBe('phone (•••) •••-••67 evenings');
  });

  it('keeps length and spaces, so word positions are unchanged', () => {
    const text = 'card 4111 1111 1111 1111 mail a@b.io tel +44 20 7946 0958 iban GB82WEST12345698765432';
    const { text: redacted, redactions } = redact(text);
    expect(redacted).toHaveLength(text.length);
    expect([...redacted.matchAll(/\S+/g)].map((m) => m.index)).toEqual([...text.matchAll(/\S+/g)].map((m) => m.index));
    expect(redactions.map((r) => r.kind)).toEqual(['card', 'email', 'phone', 'iban']);
  });

  it('is configurable by kind', () => {
    expect(redact('a@b.io 4111 1111 1111 1111', { kinds: ['email'] }).text).toBe('•@•.io 4111 1111 1111 1111');
    expect(redact('a@b.io 4111 1111 1111 1111', { kinds: ['card'] }).text).toBe('a@b.io •••• •••• •••• 1111');
    expect(kinds('nothing personal here')).toEqual([]);
  });
});
