import { languageName } from '@/lib/bot/unreadable-reply';

/**
 * What "Why this answer?" says for a message the model could not read (the policy's
 * `unreadable`): the plain reason, instead of word evidence from a model that cannot read the
 * words. `language` is the bot's (BCP 47), named in English for the operator's and the
 * customer's panel alike (the reply itself is in the bot's language).
 */
export function UnreadableNote({ language, id }: { language: string; id?: string }) {
  const name = languageName(language, 'en');
  return (
    <div id={id} role="note" data-testid="why-unreadable-message" className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-800 ring-1 ring-slate-200">
      <p>
        I didn’t answer this message because I can’t read it. I was trained on {name} texts only, and most of its letters never
        occurred in them, so anything I made of its words would be a guess. That is why I offered a person instead.
      </p>
    </div>
  );
}
