// A throwaway explainer, as a new method would be added: one descriptor in one file. It scores
// the first word 1 and the others 0, and its `extra` carries the visitor's first word, which its
// fit hook derives from the stored (masked) message.
import { z } from 'zod';
import { defineExplainer, EXPLAINERS } from '@/lib/explain';
import { MAX_MESSAGE_CHARS } from '@/lib/explain/common';

export const firstWordExplainer = defineExplainer({
  method: 'first-word',
  label: 'First word',
  shortLabel: 'First',
  needs: [],
  scoresWords: true,
  description: 'Only the first word counts.',
  view: undefined,
  settingsSchema: z.object({ weight: z.number().min(0).max(1).optional() }),
  extraSchema: z.object({ firstWord: z.string().max(MAX_MESSAGE_CHARS).optional() }),
  stringFields: { 'extra.firstWord': 'derived' },
  fitExtra: (extra, { words }) => ({ ok: true, extra: { ...extra, firstWord: words[0]?.text ?? '' } }),
  defaults: { weight: 1 },
  async explain(input, settings) {
    const weight = settings?.weight ?? 1;
    return {
      method: 'first-word',
      version: 1,
      target: { index: input.target, label: input.labels[input.target] ?? String(input.target), probability: 1 },
      settings: { weight },
      words: input.words,
      scores: input.words.map((_, i) => (i === 0 ? weight : 0)),
      extra: { firstWord: input.words[0]?.text ?? '' },
      timing: { ms: 0, forwardPasses: 0 },
    };
  },
});

/** The app's explainers and the throwaway one: one more line in the list. */
export const WITH_FIRST_WORD = [...EXPLAINERS, firstWordExplainer] as const;
