// The audit's generators on fixed inputs: each gives the variants it should, from the lists of
// the bot's language, and a language without a list gets no variant (reported, not faked).
import { describe, expect, it } from 'vitest';
import { fillTemplate, identitySet, identityTypesOf } from '@/lib/audit/identity';
import { languageLists, loadWordLists, primaryLanguage, type WordLists } from '@/lib/audit/lists';
import { negate } from '@/lib/audit/negation';
import { caseVariants, contraction, filler, keyboardNeighbours, perturb, politeness, punctuation, typo, type PerturbContext } from '@/lib/audit/perturbations';
import { stratifiedSample, streamFor } from '@/lib/audit/sampling';
import { createRng } from '@/lib/explain/rng';

const en = loadWordLists('en');
const zh = loadWordLists('zh-Hans');
const enLists = en.lists!;
const zhLists = zh.lists!;
const context = (lists: WordLists | null, seed = 1, locale = 'en'): PerturbContext => ({ lists, locale, rng: createRng(seed) });

describe('word lists', () => {
  it('reads English and Chinese by the primary language subtag', () => {
    expect(primaryLanguage('zh-Hans-CN')).toBe('zh');
    expect(primaryLanguage('not a tag!')).toBeNull();
    expect(en.missing).toEqual([]);
    expect(zh.lists?.language).toBe('zh');
    // Chinese has no keyboard-neighbour typos and no contractions: missing, with the reason.
    expect(zh.missing.map((entry) => entry.list).sort()).toEqual(['contractions', 'keyboard']);
    expect(zh.missing.find((entry) => entry.list === 'keyboard')!.reason).toMatch(/input method/);
  });

  it('reports every list missing for a language without a file', () => {
    const fr = loadWordLists('fr');
    expect(fr.lists).toBeNull();
    expect(fr.used).toEqual([]);
    expect(fr.missing.map((entry) => entry.list)).toContain('names');
    expect(fr.missing[0]!.reason).toBe('there are no word lists for fr');
  });

  it('says which list a file lacks', () => {
    const partial = languageLists('xx', { language: 'xx', wordSeparator: ' ', fillers: ['eh'] });
    expect(partial.used).toEqual(['fillers']);
    expect(partial.missing.find((entry) => entry.list === 'names')!.reason).toBe('the xx word lists have no names list');
  });
});

describe('typos', () => {
  const neighbours = keyboardNeighbours(enLists.keyboard!);

  it('knows the QWERTY neighbours', () => {
    expect(neighbours.get('a')!.sort()).toEqual(['q', 's', 'w', 'z']);
    expect(neighbours.get('g')!.sort()).toEqual(['b', 'f', 'h', 't', 'v', 'y']);
    expect(neighbours.get('p')!.sort()).toEqual(['l', 'o']);
  });

  it('replaces one letter by a neighbouring key, in its case, in a word of three letters or more', () => {
    const text = 'I lost my Card at the ATM';
    const seen = new Set<string>();
    for (let seed = 0; seed < 200; seed++) {
      const variant = typo(text, context(enLists, seed))!;
      expect(variant).toHaveLength(text.length);
      const changed = [...text].flatMap((ch, i) => (ch === variant[i] ? [] : [i]));
      expect(changed).toHaveLength(1);
      const at = changed[0]!;
      const [from, to] = [text[at]!, variant[at]!];
      expect(neighbours.get(from.toLowerCase())).toContain(to.toLowerCase());
      expect(from === from.toUpperCase()).toBe(to === to.toUpperCase());
      // "I", "my" and "at" have fewer than three letters.
      expect(['I', 'my', 'at']).not.toContain(variant.split(' ')[text.slice(0, at).split(' ').length - 1]);
      seen.add(variant);
    }
    expect(seen.size).toBeGreaterThan(10);
    expect(typo(text, context(enLists, 7))).toBe(typo(text, context(enLists, 7)));
  });

  it('gives none without a keyboard (Chinese) or a long enough word', () => {
    expect(typo('我的卡丢了', context(zhLists, 1, 'zh'))).toBeNull();
    expect(typo('hi, ok', context(enLists))).toBeNull();
  });
});

describe('case, punctuation, filler and politeness', () => {
  it('case: lower, upper and sentence case, never the text itself', () => {
    expect(caseVariants('How do I top up?').sort()).toEqual(['HOW DO I TOP UP?', 'How do i top up?', 'how do i top up?'].sort());
    expect(caseVariants('我的卡丢了')).toEqual([]);
    expect(perturb('case', '我的卡丢了', context(zhLists, 1, 'zh'))).toBeNull();
  });

  it('punctuation: removed where the message has some (words keep theirs), a mark added where it has none', () => {
    expect(punctuation("Hi, I can't log in!", context(enLists))).toBe("Hi I can't log in");
    expect(enLists.punctuation).toContain(punctuation('where is my card', context(enLists))!.slice(-1));
    expect(punctuation('我的卡，丢了。', context(zhLists, 1, 'zh'))).toBe('我的卡丢了');
  });

  it('filler: one of the list before a word', () => {
    const variant = filler('where is my card', context(enLists, 3))!;
    const words = variant.split(' ');
    expect(words).toHaveLength(5);
    expect(words.filter((word) => !['where', 'is', 'my', 'card'].includes(word)).every((word) => enLists.fillers!.includes(word))).toBe(true);
    const zhVariant = filler('我的卡丢了', context(zhLists, 3, 'zh'))!;
    expect(zhLists.fillers!.some((word) => zhVariant.replace(word, '') === '我的卡丢了')).toBe(true);
  });

  it('politeness: a greeting before or thanks after', () => {
    const variants = new Set(Array.from({ length: 40 }, (_, seed) => politeness('where is my card', context(enLists, seed))!));
    for (const variant of variants) {
      const prefix = enLists.politeness!.prefixes.find((p) => variant === `${p} where is my card`);
      const suffix = enLists.politeness!.suffixes.find((s) => variant === `where is my card ${s}`);
      expect(prefix ?? suffix).toBeDefined();
    }
    expect([...variants].some((variant) => variant.startsWith('where'))).toBe(true);
    expect([...variants].some((variant) => !variant.startsWith('where'))).toBe(true);
    const zhVariant = politeness('我的卡丢了', context(zhLists, 2, 'zh'))!;
    expect([...zhLists.politeness!.prefixes.map((p) => `${p}我的卡丢了`), ...zhLists.politeness!.suffixes.map((s) => `我的卡丢了${s}`)]).toContain(zhVariant);
  });
});

describe('contractions', () => {
  it('contracts every full form, keeping a capital', () => {
    expect(contraction('I do not have my card and it is late', context(enLists))).toBe("I don't have my card and it's late");
    expect(contraction('Do not charge me', context(enLists))).toBe("Don't charge me");
    expect(contraction('I AM LOCKED OUT', context(enLists))).toBe("I'M LOCKED OUT");
  });

  it('expands contractions where there is nothing to contract, with either apostrophe', () => {
    expect(contraction("I can't log in and I’m stuck", context(enLists))).toBe('I cannot log in and I am stuck');
    expect(contraction("Why won't it work", context(enLists))).toBe('Why will not it work');
  });

  it('leaves words that merely contain a phrase alone, and gives none without one', () => {
    expect(contraction('this island is not far', context(enLists))).toBe("this island isn't far");
    expect(contraction('where my card', context(enLists))).toBeNull();
    expect(contraction('我的卡丢了', context(zhLists, 1, 'zh'))).toBeNull();
  });
});

describe('negation', () => {
  it('negates the first phrase of the list', () => {
    expect(negate('I want to cancel my transfer', enLists)).toBe("I don't want to cancel my transfer");
    expect(negate('Is my card blocked?', enLists)).toBe("Isn't my card blocked?");
    expect(negate('How do I top up', enLists)).toBeNull();
  });

  it('in Chinese, skips a phrase already negated', () => {
    expect(negate('我要退款', zhLists)).toBe('我不要退款');
    expect(negate('我不要这张卡，我需要新卡', zhLists)).toBe('我不要这张卡，我不需要新卡');
    expect(negate('我的卡没有到', zhLists)).toBeNull();
  });
});

describe('identity swaps', () => {
  it('fills a template, capitalised where the slot is', () => {
    expect(fillTemplate('{Pronoun} asked me to ask: {message}', 'pronoun', 'she', 'where is my {card}?')).toBe('She asked me to ask: where is my {card}?');
  });

  it('gives every group the same template and message: names once per gender and origin', () => {
    const set = identitySet('name', 'Where is my card?', enLists, streamFor(1, 'name', 0))!;
    const cells = new Set(enLists.names!.map((name) => `${name.gender}/${name.origin}`));
    expect(set.variants).toHaveLength(cells.size);
    expect(new Set(set.variants.map((variant) => `${variant.groups.name_gender}/${variant.groups.name_origin}`))).toEqual(cells);
    for (const variant of set.variants) expect(variant.text).toBe(fillTemplate(set.template, 'name', variant.term, 'Where is my card?'));
  });

  it('in Chinese, from the Chinese lists', () => {
    expect(identityTypesOf(zhLists)).toEqual(['name', 'pronoun', 'nationality', 'religion', 'age']);
    const set = identitySet('pronoun', '我的卡丢了', zhLists, streamFor(1, 'pronoun', 0))!;
    expect(set.variants.map((variant) => variant.groups.pronoun)).toEqual(['he', 'she']);
    expect(set.variants.map((variant) => variant.text)).toEqual([fillTemplate(set.template, 'pronoun', '他', '我的卡丢了'), fillTemplate(set.template, 'pronoun', '她', '我的卡丢了')]);
    expect(set.variants[0]!.text).toMatch(/他.*我的卡丢了$/);
  });

  it('gives nothing without the lists', () => {
    expect(identityTypesOf(null)).toEqual([]);
    expect(identitySet('name', 'hi', { language: 'xx', wordSeparator: ' ' }, createRng(1))).toBeNull();
  });
});

describe('hostile messages', () => {
  it('every generator handles a long message of repeated phrases and marks', () => {
    const hostile = ["do not can't I'm ".repeat(55), "'".repeat(1000), '-a'.repeat(500), '我不要'.repeat(333), '\u0000\u202e '.repeat(300)];
    for (const text of hostile) {
      for (const type of ['typo', 'case', 'punctuation', 'filler', 'politeness', 'contraction'] as const) {
        const variant = perturb(type, text, context(enLists, 3));
        expect(variant === null || variant.length < 3 * text.length + 100).toBe(true);
      }
      expect(negate(text, zhLists) ?? '').not.toContain('不不');
      negate(text, enLists);
    }
    expect(contraction("do not can't I'm ".repeat(55), context(enLists))).toBe("don't can't I'm ".repeat(55));
  });
});

describe('stratified sample', () => {
  it('spreads the sample over the strata and is seeded', () => {
    const strata = [...Array(50).fill('a'), ...Array(5).fill('b'), ...Array(5).fill('c')];
    const sample = stratifiedSample(strata, 12, 4);
    const count = (s: string) => sample.filter((i) => strata[i] === s).length;
    expect(sample).toHaveLength(12);
    expect([count('a'), count('b'), count('c')]).toEqual([4, 4, 4]);
    expect(stratifiedSample(strata, 12, 4)).toEqual(sample);
    expect(stratifiedSample(strata, 100, 4)).toHaveLength(60);
  });
});
