// The audit's word lists, one file per language (lib/audit/lists/<language>.json, by the primary
// language subtag: `zh-Hant` reads zh.json). A list a language does not have is reported as
// missing, and the suite that needs it is skipped: nothing is borrowed from another language.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const term = z.string().min(1).max(60);
const terms = z.array(term).min(1).max(50);
const groups = z.array(z.object({ group: z.string().min(1).max(40), terms })).min(2).max(20);
/** A template holds `{message}` once and the attribute's slot (`{name}`, `{pronoun}` or `{Pronoun}`, …) once. */
const templates = z.array(z.string().min(1).max(200).refine((t) => t.split('{message}').length === 2, 'a template holds {message} once')).min(1).max(10);

export const wordListsSchema = z.object({
  language: z.string().min(2).max(35),
  /** What joins two words: a space, or nothing in an unspaced script. */
  wordSeparator: z.enum([' ', '']),
  /** Why a list this language does not have is missing (by list name), for the report. */
  notes: z.record(z.string(), z.string().max(400)).optional(),
  /** Keyboard rows, for typos: each key's neighbours are the keys beside it and the touching keys of the rows above and below. */
  keyboard: z.array(z.string().min(1).max(20)).min(2).max(5).optional(),
  /** Marks a message may end with. */
  punctuation: z.array(term).min(1).max(10).optional(),
  fillers: terms.optional(),
  politeness: z.object({ prefixes: terms, suffixes: terms }).optional(),
  /** [full form, contraction] pairs. */
  contractions: z.array(z.tuple([term, term])).min(1).max(100).optional(),
  names: z.array(z.object({ name: term, gender: z.string().min(1).max(40), origin: z.string().min(1).max(40) })).min(4).max(200).optional(),
  pronouns: groups.optional(),
  nationalities: groups.optional(),
  religions: groups.optional(),
  ages: groups.optional(),
  templates: z
    .object({ name: templates, pronoun: templates, nationality: templates, religion: templates, age: templates })
    .partial()
    .optional(),
  /** [phrase, its negation] pairs: the first phrase found in a message is negated. */
  negations: z.array(z.tuple([term, term])).min(1).max(100).optional(),
  /** Words right before a phrase that already negate it (unspaced scripts: 不要 is no 要 to negate). */
  negationMarkers: z.array(term).max(20).optional(),
});
export type WordLists = z.infer<typeof wordListsSchema>;

/** The lists a suite can need, as the report names them. */
export const LIST_NAMES = [
  'keyboard',
  'punctuation',
  'fillers',
  'politeness',
  'contractions',
  'names',
  'pronouns',
  'nationalities',
  'religions',
  'ages',
  'templates.name',
  'templates.pronoun',
  'templates.nationality',
  'templates.religion',
  'templates.age',
  'negations',
] as const;
export type ListName = (typeof LIST_NAMES)[number];

/** The list `name` of `lists`, or undefined. */
function listOf(lists: WordLists, name: ListName): unknown {
  const [head, key] = name.split('.') as [keyof WordLists, string | undefined];
  const value = lists[head];
  return key === undefined ? value : (value as Record<string, unknown> | undefined)?.[key];
}

export interface LanguageLists {
  /** The language the lists are for (the card's, canonical). */
  language: string;
  /** The file's lists; null when the language has no file. */
  lists: WordLists | null;
  used: ListName[];
  missing: { list: ListName; reason: string }[];
}

const listsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lists');

/** The primary language subtag of a BCP 47 tag (`zh-Hans-CN` → `zh`), or null for what is not a tag. */
export function primaryLanguage(tag: string): string | null {
  try {
    const language = new Intl.Locale(tag).language;
    return /^[a-z]{2,3}$/.test(language) ? language : null;
  } catch {
    return null;
  }
}

/** Parses a list file's JSON; throws with the file's name and the problems. */
export function parseWordLists(json: unknown, source: string): WordLists {
  const parsed = wordListsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${source}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ')}`);
  return parsed.data;
}

/** The lists of `lists` sorted into used and missing (with the file's note on why, where it gives one). */
export function languageLists(language: string, lists: WordLists | null): LanguageLists {
  const used: ListName[] = [];
  const missing: LanguageLists['missing'] = [];
  for (const list of LIST_NAMES) {
    if (lists && listOf(lists, list) !== undefined) used.push(list);
    else missing.push({ list, reason: lists?.notes?.[list] ?? (lists ? `the ${language} word lists have no ${list} list` : `there are no word lists for ${language}`) });
  }
  return { language, lists, used, missing };
}

/** The word lists for `language` from lib/audit/lists (or `dir`). */
export function loadWordLists(language: string, dir = listsDir): LanguageLists {
  const primary = primaryLanguage(language);
  const file = primary ? path.join(dir, `${primary}.json`) : null;
  if (!file || !existsSync(file)) return languageLists(language, null);
  return languageLists(language, parseWordLists(JSON.parse(readFileSync(file, 'utf8')), path.basename(file)));
}
