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

/** Asserts that each text redacts to the expected one, with the expected kinds. */
function expectRedacted(cases: [string, string, ...string[]][]) {
  for (const [text, expected, ...expectedKinds] of cases) {
    const { text: out, redactions } = redact(text);
    expect(out, text).toBe(expected);
    expect(out, text).toHaveLength(text.length);
    if (expectedKinds.length) expect(redactions.map((r) => r.kind), text).toEqual(expectedKinds);
  }
}

describe('card numbers in every form', () => {
  it('masks cards grouped by dots, dashes, several spaces, NBSP and zero-width characters', () => {
    expectRedacted([
      ['4111.1111.1111.1111', '••••.••••.••••.1111', 'card'],
      ['card: 4111-1111-1111-1111.', 'card: ••••-••••-••••-1111.', 'card'],
      ['4111  1111  1111  1111', '••••  ••••  ••••  1111', 'card'],
      ['4111\u00a01111\u00a01111\u00a01111', '••••\u00a0••••\u00a0••••\u00a01111', 'card'],
      ['4111\u200b1111\u200b1111\u200b1111', '••••\u200b••••\u200b••••\u200b1111', 'card'],
      ['4111\u2060 1111\ufeff1111 \u200d1111', '••••\u2060 ••••\ufeff•••• \u200d1111', 'card'],
      ['Amex 3782 822463 10005 ok', 'Amex •••• •••••• •0005 ok', 'card'],
      ['pay with 4111 1111 1111 1111 or 5500 0000 0000 0004', 'pay with •••• •••• •••• 1111 or •••• •••• •••• 0004', 'card', 'card'],
    ]);
  });

  it('masks cards glued to letters', () => {
    expectRedacted([
      ['card4111111111111111', 'card••••••••••••1111', 'card'],
      ['4111111111111111thanks', '••••••••••••1111thanks', 'card'],
    ]);
  });

  it('reads digits of every script at their value, masking each code unit', () => {
    expectRedacted([
      ['４１１１ １１１１ １１１１ １１１１', '•••• •••• •••• １１１１', 'card'],
      ['٤١١١ ١١١١ ١١١١ ١١١١', '•••• •••• •••• ١١١١', 'card'],
      ['४१११११११११११११११', '••••••••••••११११', 'card'],
      // Mathematical digits are two code units each: two masks each, so spans stay aligned.
      ['𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏', '•••••••• •••••••• •••••••• 𝟏𝟏𝟏𝟏', 'card'],
    ]);
    // A full-width number that fails the Luhn check is no card.
    expect(kinds('４１１１ １１１１ １１１１ １１１２')).not.toContain('card');
  });

  it('leaves 20-digit numbers and numbers that cannot start a card', () => {
    for (const text of ['ref 41111111111111111111', 'ref ' + '1'.repeat(31) + 'a', 'id 1111111111111111111'])
      expect(redact(text).text, text).toBe(text);
  });
});

describe('IBANs in every form', () => {
  it('masks IBANs grouped by dots, dashes or spaces, glued to letters, in lower case or full width', () => {
    expectRedacted([
      ['DE89.3704.0044.0532.0130.00', 'DE••.••••.••••.••••.••••.••', 'iban'],
      ['IBAN: GB82-WEST-1234-5698-7654-32', 'IBAN: GB••-••••-••••-••••-••••-••', 'iban'],
      ['ibanDE89370400440532013000', 'ibanDE••••••••••••••••••••', 'iban'],
      ['de89 3704 0044 0532 0130 00', 'de•• •••• •••• •••• •••• ••', 'iban'],
      ['DE89  3704\u00a00044\u200b0532 0130 00', 'DE••  ••••\u00a0••••\u200b•••• •••• ••', 'iban'],
      ['ｄｅ８９３７０４００４４０５３２０１３０００', 'ｄｅ••••••••••••••••••••', 'iban'],
      ['FR14 2004 1010 0505 0001 3M02 606', 'FR•• •••• •••• •••• •••• •••• •••', 'iban'],
      ['NL91ABNA0417164300', 'NL••••••••••••••••', 'iban'],
    ]);
  });

  it('leaves wrong check digits, wrong lengths and IBANs glued to digits', () => {
    for (const text of ['DE89370400440532013001', 'DE8937040044053201300', '1DE89370400440532013000', 'DE893704004405320130001', 'XX89370400440532013000'])
      expect(kinds(text), text).not.toContain('iban');
  });
});

describe('e-mail addresses in every form', () => {
  it('masks international addresses, full-width and small @, keeping the top-level domain', () => {
    expectRedacted([
      ['mail me: jöhn@exämple.de!', 'mail me: ••••@•••••••.de!', 'email'],
      ['reach john.doe＠example.com today', 'reach ••••.•••＠•••••••.com today', 'email'],
      ['a﹫b.org', '•﹫•.org', 'email'],
      ['me@例え.テスト', '••@••.テスト', 'email'],
      ['ask o\'brien_99@mail-server.example.co.uk.', 'ask •\'•••••_••@••••-••••••.•••••••.••.uk.', 'email'],
    ]);
  });

  it('leaves handles and addresses without a top-level domain', () => {
    for (const text of ['ping @support or @jane.doe', 'john@localhost', 'a@b.c', 'x@y', '@@@', 'a@-.com'])
      expect(redact(text).text, text).toBe(text);
  });
});

describe('phone numbers in every form', () => {
  it('masks international and national formats, keeping the last two digits', () => {
    expectRedacted([
      ['030/12345678', '•••/••••••78', 'phone'],
      ['+49 30 1234567', '+•• •• •••••67', 'phone'],
      ['Telefon: +49 30 1234567.', 'Telefon: +•• •• •••••67.', 'phone'],
      ['+49 (0)30 1234567', '+•• (•)•• •••••67', 'phone'],
      ['call 0049 30 1234567', 'call •••• •• •••••67', 'phone'],
      ['(030) 1234567', '(•••) •••••67', 'phone'],
      ['030 - 12345678', '••• - ••••••78', 'phone'],
      ['0151/23456789', '••••/••••••89', 'phone'],
      ['555-123-4567', '•••-•••-••67', 'phone'],
      ['612 34 56 78', '••• •• •• 78', 'phone'],
      ['call 030 1234567 or 030 7654321', 'call ••• •••••67 or ••• •••••21', 'phone', 'phone'],
    ]);
  });

  it('masks full-width phone numbers', () => {
    expectRedacted([
      ['＋４９ ３０ １２３４５６７', '＋•• •• •••••６７', 'phone'],
      ['０３０／１２３４５６７８', '•••／••••••７８', 'phone'],
      ['（０３０）１２３４５６７', '（•••）•••••６７', 'phone'],
    ]);
  });

  it('masks an unseparated 9-digit number only when the words before it say it is a phone number', () => {
    expectRedacted([
      ['my number is 612345678', 'my number is •••••••78', 'phone'],
      ['mobile: 612345678', 'mobile: •••••••78', 'phone'],
      ['Tel. 612345678', 'Tel. •••••••78', 'phone'],
      ['mi móvil es 612345678', 'mi móvil es •••••••78', 'phone'],
      ['for my order, call 612345678', 'for my order, call •••••••78', 'phone'],
    ]);
    for (const text of ['612345678', 'I got 612345678 back', 'order 612345678', 'order number 612345678', 'order #612345678', 'account number: 612345678', 'invoice 0301234567'])
      expect(redact(text).text, text).toBe(text);
  });
});

describe('what must survive', () => {
  it('keeps dates, amounts, times, order numbers, short numbers and addresses of machines', () => {
    for (const text of [
      'on 2024-05-01, 01.05.2024, 5/1/2024, 05/2024 and 12/25',
      '2024-05-01 14:30',
      'on 01.05.2024 14.30 and 1,234.56 or 12.50',
      'it cost 1234567.89 or 1.234.567 EUR, paid 1234567.89.',
      'at 9.30am, 14:30 or 14.30',
      'order #12345 and #612345678',
      'my PIN 1234, 3 times, 25.99 each',
      'ip 10.0.0.1 and 192.168.100.200',
    ])
      expect(redact(text).text, text).toBe(text);
  });

  it('masks personal data next to dates and amounts but not them', () => {
    expectRedacted([
      ['01.05.2024 0301234567', '01.05.2024 ••••••••67', 'phone'],
      ['paid 1234567.89. call 0301234567.', 'paid 1234567.89. call ••••••••67.', 'phone'],
      ['on 2024-05-01 card 4111 1111 1111 1111 for 12.50', 'on 2024-05-01 card •••• •••• •••• 1111 for 12.50', 'card'],
    ]);
  });

  it('leaves text that was already redacted as it is', () => {
    for (const text of ['my card •••• •••• •••• 1111', 'IBAN DE••••••••••••••••••••', '••••@•••••••.de', 'call +•• •• •••••67'])
      expect(redact(text).text, text).toBe(text);
  });
});
