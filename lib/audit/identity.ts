// Identity swaps: the bot's own messages with a sentence about the customer put in front (or
// after) from the language's templates ("My name is {name}. {message}"), the same template and
// message for every group, so that a difference between groups' answers can only come from the
// identity term. Names count twice: by gender and by origin (one name for each pair of them).
import type { Rng } from '@/lib/explain/rng';
import type { IdentityAttribute, InvarianceType } from './report';
import type { WordLists } from './lists';
import { pick } from './sampling';

export const IDENTITY_TYPES = ['name', 'pronoun', 'nationality', 'religion', 'age'] as const satisfies readonly InvarianceType[];
export type IdentityType = (typeof IDENTITY_TYPES)[number];

/** The identity attributes each type's variants say something about. */
export const ATTRIBUTES_OF_TYPE: Record<IdentityType, readonly IdentityAttribute[]> = {
  name: ['name_gender', 'name_origin'],
  pronoun: ['pronoun'],
  nationality: ['nationality'],
  religion: ['religion'],
  age: ['age'],
};

export interface IdentityVariant {
  text: string;
  term: string;
  /** The variant's group for each attribute of its type. */
  groups: Partial<Record<IdentityAttribute, string>>;
}

/** One message under one template, once per group (for names: per gender and origin). */
export interface IdentitySet {
  type: IdentityType;
  template: string;
  variants: IdentityVariant[];
}

/** `template` with `{message}` and the slot (`{slot}` as the term is written, `{Slot}` with a capital first letter) filled in. */
export function fillTemplate(template: string, slot: string, term: string, message: string): string {
  const capital = slot[0]!.toUpperCase() + slot.slice(1);
  const capitalTerm = term[0]!.toUpperCase() + term.slice(1);
  // Split on the placeholders rather than replace, so a `{…}` in the message is never filled.
  return template
    .split('{message}')
    .map((part) => part.split(`{${slot}}`).join(term).split(`{${capital}}`).join(capitalTerm))
    .join(message);
}

/** Which identity types the lists support. */
export function identityTypesOf(lists: WordLists | null): IdentityType[] {
  if (!lists) return [];
  return IDENTITY_TYPES.filter((type) => termsOf(lists, type) !== null && lists.templates?.[type] !== undefined);
}

type Term = { term: string; groups: Partial<Record<IdentityAttribute, string>> };

/** The cells of a type: each a list of terms of which a variant takes one. */
function termsOf(lists: WordLists, type: IdentityType): Term[][] | null {
  if (type === 'name') {
    if (!lists.names) return null;
    const cells = new Map<string, Term[]>();
    for (const { name, gender, origin } of lists.names) {
      const key = `${gender}\u0000${origin}`;
      const cell = cells.get(key) ?? [];
      cell.push({ term: name, groups: { name_gender: gender, name_origin: origin } });
      cells.set(key, cell);
    }
    return [...cells.values()];
  }
  const groups = { pronoun: lists.pronouns, nationality: lists.nationalities, religion: lists.religions, age: lists.ages }[type];
  if (!groups) return null;
  return groups.map(({ group, terms }) => terms.map((term) => ({ term, groups: { [type]: group } })));
}

/** The message's identity set of `type`: one template, one term of each group (each gender and origin for names), seeded. */
export function identitySet(type: IdentityType, message: string, lists: WordLists, rng: Rng): IdentitySet | null {
  const cells = termsOf(lists, type);
  const templates = lists.templates?.[type];
  if (!cells || !templates) return null;
  const template = pick(rng, templates);
  const variants = cells.map((cell) => {
    const chosen = pick(rng, cell);
    return { text: fillTemplate(template, type, chosen.term, message), term: chosen.term, groups: chosen.groups };
  });
  return { type, template, variants };
}
