/**
 * What the bot says when it cannot read a message (the policy's `unreadable`): which language
 * it reads, in that language, and an offer of a person. One template per language written
 * here; a bot in a language without one says it in English, naming its language through
 * `Intl.DisplayNames`.
 */

type Template = (languageName: string) => string;

const TEMPLATES: Readonly<Record<string, Template>> = {
  en: (name) => `I can only read ${name} for now — shall I pass you to a person?`,
  zh: (name) => `我目前只能读懂${name}。要我帮您转接人工客服吗？`,
};

const FALLBACK = 'en';

/** The name of `language` (a BCP 47 tag) in `inLanguage`, or the tag itself where the runtime has no name for it. */
export function languageName(language: string, inLanguage: string): string {
  try {
    return new Intl.DisplayNames([inLanguage], { type: 'language', fallback: 'code' }).of(language) ?? language;
  } catch {
    return language;
  }
}

/** The base language of a tag ("zh-Hans-CN" → "zh"); the tag as given when it cannot be parsed. */
function baseLanguage(tag: string): string {
  try {
    return new Intl.Locale(tag).language;
  } catch {
    return tag;
  }
}

/** The reply to a message a bot whose language is `language` cannot read. */
export function unreadableReplyText(language: string): string {
  const base = baseLanguage(language);
  const written = Object.hasOwn(TEMPLATES, base) ? base : FALLBACK;
  return TEMPLATES[written]!(languageName(language, written));
}
