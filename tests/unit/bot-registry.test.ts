import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelOf, reviewIntents } from '@/lib/admin/intents';
import { loadBotContent } from '@/lib/bot/answers';
import { modelUrl, resolveBot, TRAINING_OUT_OF_SCOPE_LABEL } from '@/lib/bot/registry';
import { cardLanguage, DEFAULT_LANGUAGE } from '@/lib/model/card';
import { readModelCard } from '@/lib/model/node';
import { activeVersion, contentHash } from '@/lib/model/versions';
import { activeBot, activeFacts, reviewLabels, versionFacts } from '@/lib/verify/bots';
import { testProviders, withScratchDatabase } from '../support/databases';
import { bundledFacts, DEMO_BOT } from '../support/turns';

const card = readModelCard(path.join(process.cwd(), 'public', 'models', DEMO_BOT))!;
const content = loadBotContent(DEMO_BOT);

describe.each(testProviders)('the bot registry, with the active model version on %s', (provider) => {
  withScratchDatabase(provider);

  it("resolves the demo bot from its id and its active version's card: the bundled one, stored on first use", async () => {
    const bot = await activeBot(DEMO_BOT);
    const facts = (await activeFacts(DEMO_BOT))!;
    expect(facts.version).toBe(contentHash(path.join(process.cwd(), 'public', 'models', DEMO_BOT)));
    expect((await activeVersion(DEMO_BOT))!.source).toBe('bundled');
    expect(bot.id).toBe(DEMO_BOT);
    expect(bot.content).toBe(content);
    expect(bot.displayName).toBe('Lumen Bank assistant');
    expect(bot.modelUrl).toBe(`/models/${DEMO_BOT}/`);
    expect(bot.outOfScopeLabel).toBe(card.outOfScopeLabel);
    // The card names the class, so a review stores the model's own label and the export writes it.
    expect(bot.reviewOutOfScopeLabel).toBe(card.outOfScopeLabel);
    // The card names its language; a card that names none (written before cards did) reads the default.
    expect(card.raw.language).toBe('en');
    expect(bot.language).toBe('en');
    expect(resolveBot(DEMO_BOT, { outOfScopeLabel: card.outOfScopeLabel, language: cardLanguage({}) }).language).toBe(DEFAULT_LANGUAGE);
    expect(bot.labelOf('card_arrival')).toBe("My card hasn't arrived");
    expect(bot.labelOf(card.outOfScopeLabel!)).toBe(content.outOfScope.label);
    expect(bot.labelOf(card.outOfScopeLabel!, 'operator')).toBe(content.outOfScope.operatorLabel);
  });

  it('resolves a stored bot id it has no answers for and no model version of as itself, with no labels', async () => {
    expect((await activeBot('retired-bot')).outOfScopeLabel).toBeNull();
    expect((await reviewLabels('retired-bot')).size).toBe(0);
    expect((await labelOf('retired-bot'))('lost_or_stolen_card')).toBe('Lost or stolen card');
    expect(await reviewIntents('retired-bot')).toEqual([{ intent: TRAINING_OUT_OF_SCOPE_LABEL, label: 'Out of scope' }]);
  });

  it("offers a reviewer the bot's intents once each, out of scope last under the card's label", async () => {
    const intents = await reviewIntents(DEMO_BOT);
    const values = intents.map((entry) => entry.intent);
    expect(new Set(values).size).toBe(values.length);
    expect(intents.at(-1)).toEqual({ intent: card.outOfScopeLabel, label: 'Out of scope' });
    expect(values.slice(0, -1).sort()).toEqual(Object.keys(content.intents).sort());
    // Every choice is a label the review route accepts.
    const accepted = await reviewLabels(DEMO_BOT);
    for (const value of values) expect(accepted.has(value), value).toBe(true);
    expect(accepted.size).toBe(card.labels.length);
    // A review stored before the card named the class still reads as out of scope.
    expect((await labelOf(DEMO_BOT))(TRAINING_OUT_OF_SCOPE_LABEL)).toBe('Out of scope');
  });
});

describe('the bot registry', () => {
  it('matches the out-of-scope class by the label the card names, whatever it is', () => {
    const bot = resolveBot(DEMO_BOT, { outOfScopeLabel: 'not_banking', language: 'en' });
    expect(bot.isOutOfScope('not_banking')).toBe(true);
    expect(bot.labelOf('not_banking', 'operator')).toBe('Out of scope');
    expect(bot.reviewOutOfScopeLabel).toBe('not_banking');
    expect(bot.isOutOfScope('card_arrival')).toBe(false);
  });

  it("names a review's out of scope as the training pipeline does when the model has no such class", () => {
    const bot = resolveBot(DEMO_BOT, { outOfScopeLabel: null, language: 'en' });
    expect(bot.outOfScopeLabel).toBeNull();
    expect(bot.reviewOutOfScopeLabel).toBe(TRAINING_OUT_OF_SCOPE_LABEL);
    expect(bot.labelOf(TRAINING_OUT_OF_SCOPE_LABEL, 'operator')).toBe('Out of scope');
  });

  it('resolves a stored bot id it has no answers for as itself, not as another bot', () => {
    const bot = resolveBot('retired-bot', { outOfScopeLabel: 'none_of_these', language: 'de' });
    expect(bot.content).toBeNull();
    expect(bot.displayName).toBe('retired-bot');
    expect(bot.language).toBe('de');
    expect(bot.labelOf('card_arrival', 'operator')).toBe('Card arrival');
    expect(bot.labelOf('none_of_these', 'operator')).toBe('Out of scope');
  });

  it('keeps model folders inside the model store', () => {
    expect(() => modelUrl('../admin')).toThrow(/Not a bot id/);
    expect(() => modelUrl('a/b')).toThrow(/Not a bot id/);
    const hash = 'a'.repeat(64);
    expect(versionFacts('..', hash, '/srv/models')).toBeNull();
    expect(versionFacts(DEMO_BOT, '../../etc', '/srv/models')).toBeNull();
    expect(versionFacts(DEMO_BOT, hash, '/srv/models')).toBeNull();
  });

  it("reads the card's language as a canonical BCP 47 tag, English when it names none", () => {
    expect(cardLanguage({})).toBe('en');
    expect(cardLanguage({ language: 'EN-gb' })).toBe('en-GB');
    expect(cardLanguage({ language: 'pt-br' })).toBe('pt-BR');
    expect(() => cardLanguage({ language: 'not a language' })).toThrow(/not a BCP 47 language tag/);
    expect(() => cardLanguage({ language: 7 })).toThrow(/BCP 47/);
    expect(() => cardLanguage({ language: 'x'.repeat(10_000) })).toThrow(/BCP 47/);
    expect(bundledFacts(DEMO_BOT).language).toBe('en');
  });
});
