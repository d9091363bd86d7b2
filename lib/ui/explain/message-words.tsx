'use client';

import type { ReactNode } from 'react';
import type { WordSpan } from '@/lib/model/types';
import { messageRuns, touchesUnit } from './format';
import { PanelText } from './reader';

/**
 * The message with each word unit drawn by `unit` and the characters between units as typed
 * (`messageRuns`): Chinese, Japanese or Thai reads as one line of contiguous units with its own
 * punctuation, English as words with their spaces. `unit(index, tight)` draws word `index`;
 * `tight` when it touches another unit, so its padding should be small.
 */
export function MessageWords({ words, text, unit }: { words: readonly WordSpan[]; text?: string; unit: (index: number, tight: boolean) => ReactNode }) {
  const runs = messageRuns(words, text);
  return runs.map((run, position) =>
    'word' in run ? (
      <span key={`w${words[run.word]!.start}-${run.word}`}>{unit(run.word, touchesUnit(runs, position))}</span>
    ) : (
      <PanelText key={`g${position}`} text={run.gap} className="whitespace-pre-wrap" />
    ),
  );
}
