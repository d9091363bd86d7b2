'use client';

import { useCallback, useId, useState, useSyncExternalStore, type FormEvent } from 'react';
import type { ContrastState, ContrastStates } from '@/lib/chat/contrast';
import type { SkippedState } from '@/lib/chat/skipped';
import type { ExplanationOf } from '@/lib/explain/explainer';
import type { ExplanationMethod } from '@/lib/explain/methods';
import { contrastChangeParts, contrastColor, contrastStrength, formatDuration, formatNumber, maxAbs, NEGATIVE_RGB, noContrastChange, POSITIVE_RGB, quoteList } from './format';
import { MessageWords } from './message-words';
import { readContrast, readExplanation, type ContrastView } from './parse';
import { PanelText, type Reader } from './reader';
import type { SkippedControl } from './skipped-methods';
import { ScoredWords } from './word-evidence';

/**
 * How a panel asks for contrasts ("why this and not that?") and what has become of those asked
 * for. Without one, the panel shows the stored contrasts only.
 */
export interface ContrastControl {
  /** The contrasts asked for on this page, and any the session restored, by the other intent's label. */
  states: ContrastStates | undefined;
  /** Asks for the contrast of the answer with `versus`, a label of the model. */
  request(versus: string): void;
  /** Every intent an operator may compare the answer with (the model's labels); a customer gets the other answers considered only. */
  choices?: readonly string[];
  /**
   * In the chat, the other thing a reader may ask the reply's model for: the methods the panel's
   * time budget dropped, computed now (the word view offers them). It travels with the contrasts
   * because the chat's bubble hands its panel this one control.
   */
  skipped?: SkippedControl;
}

/** The session a chat panel asks: its reply's explanation and contrasts, and computing them on request. */
type ReplySession = {
  subscribe(listener: () => void): () => void;
  contrastsOf(replyId: string): ContrastStates | undefined;
  explainContrast(replyId: string, versus: string): void;
  skippedOf(replyId: string): readonly SkippedState[] | undefined;
  explainSkipped(replyId: string, method: ExplanationMethod): void;
};

/**
 * A reply's contrasts as the chat's session keeps them, for its panel (`useSyncExternalStore`
 * underneath), with the methods its explanation's time budget dropped, when it dropped any.
 */
export function useReplyContrasts(session: ReplySession, replyId: string): ContrastControl {
  const read = useCallback(() => session.contrastsOf(replyId), [session, replyId]);
  const states = useSyncExternalStore(session.subscribe, read, read);
  const request = useCallback((versus: string) => session.explainContrast(replyId, versus), [session, replyId]);
  const readSkipped = useCallback(() => session.skippedOf(replyId), [session, replyId]);
  const skipped = useSyncExternalStore(session.subscribe, readSkipped, readSkipped);
  const requestSkipped = useCallback((method: ExplanationMethod) => session.explainSkipped(replyId, method), [session, replyId]);
  return { states, request, ...(skipped ? { skipped: { methods: skipped, request: requestSkipped } } : {}) };
}

/** One contrast as the view shows it: under way, failed, or worked out (`view` null when it cannot be displayed). */
export type ContrastEntry =
  | Extract<ContrastState, { status: 'computing' | 'failed' }>
  | { status: 'ready'; view: ContrastView | null; storing?: Extract<ContrastState, { status: 'ready' }>['storing']; live: boolean };

/**
 * The contrasts to show, by the other intent: the stored ones (read with the panel's reader),
 * then those of this page over them. A live explanation is read like a stored one: the
 * view draws only what the parse functions give.
 */
export function contrastEntries(stored: readonly ExplanationOf[], states: ContrastStates | undefined): Map<string, ContrastEntry> {
  const entries = new Map<string, ContrastEntry>();
  for (const explanation of stored) {
    const view = readContrast(explanation);
    if (view) entries.set(view.versus, { status: 'ready', view, live: false });
  }
  for (const [versus, state] of Object.entries(states ?? {})) {
    if (state.status !== 'ready') {
      entries.set(versus, state);
      continue;
    }
    const read = readExplanation(state.explanation);
    const view = read.ok ? readContrast(read.value.explanation) : null;
    entries.set(versus, { status: 'ready', view: view && view.versus === versus ? view : null, storing: state.storing, live: true });
  }
  return entries;
}

/** "Why not …?" beside another answer: its visible words are in its accessible name, which names the intent. */
export function WhyNotButton({ intent, name, pressed, controls, onPress }: { intent: string; name: string; pressed: boolean; controls: string; onPress(intent: string): void }) {
  return (
    <button
      type="button"
      aria-label={`Why not ${name}?`}
      aria-pressed={pressed}
      aria-controls={controls}
      onClick={() => onPress(intent)}
      data-testid="why-not"
      data-intent={intent}
      className="shrink-0 rounded-full border border-brand-600 px-2.5 py-0.5 text-xs font-medium whitespace-nowrap text-brand-700 hover:bg-brand-50 aria-pressed:bg-brand-600 aria-pressed:text-white"
    >
      Why not?
    </button>
  );
}

/**
 * The contrast shown under the other answers, in a region that announces its changes politely;
 * for an operator with a control, the choice of any other intent; and the other contrasts
 * there are, to switch to.
 */
export function ContrastSection({
  answer,
  listed,
  entries,
  shown,
  onShow,
  control,
  labelOf,
  text,
  reader,
  resultId,
}: {
  answer: string;
  /** The other intents the list above offers "Why not?" for. */
  listed: readonly string[];
  entries: ReadonlyMap<string, ContrastEntry>;
  /** The contrast shown, by its other intent, or null. */
  shown: string | null;
  onShow(versus: string): void;
  control?: ContrastControl;
  labelOf: (intent: string) => string;
  text?: string;
  reader: Reader;
  resultId: string;
}) {
  const headingId = useId();
  const entry = shown === null ? undefined : entries.get(shown);
  const unlisted = [...entries.keys()].filter((versus) => !listed.includes(versus));
  return (
    <section aria-labelledby={headingId} className="space-y-3 rounded-lg bg-slate-50 px-3 py-2.5 text-sm" data-testid="why-contrast">
      <h3 id={headingId} className="font-semibold text-slate-800">
        Why not another answer?
      </h3>
      {control?.choices && <ChooseIntent answer={answer} choices={control.choices} labelOf={labelOf} onChoose={onShow} />}
      {unlisted.length > 0 && (
        <div className="flex flex-wrap items-center gap-1.5 text-xs text-slate-600" data-testid="why-contrast-others">
          <span>Also compared with:</span>
          {unlisted.map((versus) => (
            <button
              key={versus}
              type="button"
              aria-pressed={versus === shown}
              aria-controls={resultId}
              onClick={() => onShow(versus)}
              className="rounded-full bg-white px-2 py-0.5 text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100 aria-pressed:bg-slate-800 aria-pressed:text-white aria-pressed:ring-slate-800"
            >
              {labelOf(versus)}
            </button>
          ))}
        </div>
      )}
      <div id={resultId} aria-live="polite" data-testid="why-contrast-result" data-versus={shown ?? undefined} data-status={entry?.status ?? 'none'} className="min-w-0">
        {shown === null || !entry ? (
          <p className="text-slate-600">
            {control ? 'Choose “Why not?” beside another answer to see which of your words made me prefer mine, and what would have changed it.' : 'No comparison with another answer was stored.'}
          </p>
        ) : (
          <ContrastResult entry={entry} answer={answer} versus={shown} labelOf={labelOf} text={text} reader={reader} onRetry={control ? () => control.request(shown) : undefined} />
        )}
      </div>
    </section>
  );
}

/** An operator's choice of any other intent of the model. */
function ChooseIntent({ answer, choices, labelOf, onChoose }: { answer: string; choices: readonly string[]; labelOf: (intent: string) => string; onChoose(intent: string): void }) {
  const selectId = useId();
  const options = choices.filter((intent) => intent !== answer).sort((a, b) => labelOf(a).localeCompare(labelOf(b)));
  const [chosen, setChosen] = useState(options[0] ?? '');
  if (options.length === 0) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen) onChoose(chosen);
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" data-testid="why-contrast-choose">
      <label htmlFor={selectId} className="flex min-w-0 flex-1 flex-col gap-1 text-xs text-slate-600">
        Compare with any intent
        <select
          id={selectId}
          value={chosen}
          onChange={(event) => setChosen(event.target.value)}
          className="w-full min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900"
          data-testid="why-contrast-intent"
        >
          {options.map((intent) => (
            <option key={intent} value={intent}>
              {labelOf(intent)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700" data-testid="why-contrast-compare">
        Why not this one?
      </button>
    </form>
  );
}

/** One contrast: under way, failed, or the words that favour each side and the smallest change found. */
export function ContrastResult({
  entry,
  answer,
  versus,
  labelOf,
  text,
  reader,
  onRetry,
}: {
  entry: ContrastEntry;
  answer: string;
  versus: string;
  labelOf: (intent: string) => string;
  text?: string;
  reader: Reader;
  onRetry?: () => void;
}) {
  const title = (
    <p className="font-medium text-slate-900">
      Why I answered <strong className="font-semibold text-brand-900">{labelOf(answer)}</strong> and not <strong className="font-semibold text-slate-900">{labelOf(versus)}</strong>
    </p>
  );
  if (entry.status === 'computing') {
    const loading = entry.loadingModel;
    return (
      <div className="space-y-1.5" data-testid="why-contrast-progress">
        {title}
        <p className="flex items-center gap-2 text-slate-600">
          <span aria-hidden="true" className="size-3 shrink-0 animate-spin rounded-full border-2 border-brand-600 border-t-transparent motion-reduce:animate-none" />
          {loading
            ? `Loading the model${loading.fraction !== null ? ` (${Math.round(loading.fraction * 100)} %)` : ''}…`
            : `Working out why I did not answer ${labelOf(versus)}…`}
        </p>
      </div>
    );
  }
  if (entry.status === 'failed') {
    return (
      <div className="space-y-1.5" data-testid="why-contrast-error">
        {title}
        <p className="break-words text-red-900">
          This could not be worked out: {entry.error}
        </p>
        {onRetry && <RetryButton onPress={onRetry} />}
      </div>
    );
  }
  const view = entry.view;
  return (
    <div className="space-y-3">
      {title}
      {view ? <ContrastWords view={view} labelOf={labelOf} text={text} reader={reader} /> : <p className="text-amber-900">This comparison cannot be displayed.</p>}
      {reader === 'operator' && <Storing entry={entry} onRetry={onRetry} />}
    </div>
  );
}

function RetryButton({ onPress }: { onPress(): void }) {
  return (
    <button type="button" onClick={onPress} className="rounded-md px-2 py-1 text-sm font-medium text-brand-700 ring-1 ring-brand-600 hover:bg-brand-50">
      Try again
    </button>
  );
}

/** Where an operator's contrast stands with the server; a stored one says so. */
function Storing({ entry, onRetry }: { entry: Extract<ContrastEntry, { status: 'ready' }>; onRetry?: () => void }) {
  const storing = entry.storing;
  if (!entry.live) return <p className="text-xs text-slate-500">Stored with the prediction.</p>;
  if (!storing) return null;
  return (
    <p className="flex flex-wrap items-center gap-2 text-xs text-slate-600" data-testid="why-contrast-storing" data-status={storing.status}>
      {storing.status === 'saving' && 'Worked out now in this browser on the stored message; saving…'}
      {storing.status === 'stored' && 'Worked out now in this browser on the stored message, and stored with the prediction.'}
      {storing.status === 'failed' && (
        <>
          <span className="break-words text-red-900">Not stored: {storing.error}</span>
          {onRetry && <RetryButton onPress={onRetry} />}
        </>
      )}
    </p>
  );
}

function ContrastWords({ view, labelOf, text, reader }: { view: ContrastView; labelOf: (intent: string) => string; text?: string; reader: Reader }) {
  const answerName = labelOf(view.answer);
  const otherName = labelOf(view.versus);
  const scores = view.scores;
  const scale = scores ? maxAbs(scores) : 0;
  const strengths = scores?.map((score) => contrastStrength(score, scale)) ?? [];
  const side = (sign: 1 | -1) =>
    view.words
      .map((word, index) => ({ word: word.text, strength: strengths[index] ?? null }))
      .filter(({ strength }) => strength !== null && Math.sign(strength) === sign)
      .sort((a, b) => Math.abs(b.strength!) - Math.abs(a.strength!))
      .map(({ word }) => word);
  const forAnswer = side(1);
  const forOther = side(-1);
  const parts = contrastChangeParts(view, labelOf);
  return (
    <>
      {scores ? (
        <figure className="space-y-2">
          <p className="text-lg leading-10 break-words text-slate-900" data-testid="why-contrast-words">
            <MessageWords
              words={view.words}
              text={text}
              unit={(index, tight) => {
                const word = view.words[index]!;
                const strength = strengths[index] ?? null;
                if (strength === null) {
                  return (
                    <span className="text-slate-500" data-favours="neither">
                      <PanelText text={word.text} />
                    </span>
                  );
                }
                const colour = contrastColor(strength);
                return (
                  <mark
                    className={`rounded-md py-1 ${tight ? 'px-0.5' : 'px-1.5'}`}
                    style={{ backgroundColor: colour.background, color: colour.color }}
                    data-favours={strength > 0 ? 'answer' : 'other'}
                  >
                    <PanelText text={word.text} />
                  </mark>
                );
              }}
            />
          </p>
          <figcaption className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-600" data-testid="why-contrast-legend">
            <LegendSwatch rgb={POSITIVE_RGB} label={`Favours ${answerName}`} />
            <LegendSwatch rgb={NEGATIVE_RGB} label={`Favours ${otherName}`} />
          </figcaption>
          {/* The same evidence in words, for every reader: the colours are not the only way it is said. */}
          <div className="space-y-0.5 text-slate-700" data-testid="why-contrast-sides">
            {forAnswer.length > 0 && (
              <p className="break-words">
                For {answerName}: <PanelText text={quoteList(forAnswer.slice(0, 5))} />.
              </p>
            )}
            {forOther.length > 0 && (
              <p className="break-words">
                For {otherName}: <PanelText text={quoteList(forOther.slice(0, 5))} />.
              </p>
            )}
            {forAnswer.length === 0 && forOther.length === 0 && <p>No single word favours either answer strongly: the difference came from the message as a whole.</p>}
          </div>
        </figure>
      ) : (
        <p className="text-slate-600">Which words favour each answer was not stored.</p>
      )}
      <p className="break-words text-slate-800" data-testid="why-contrast-change" data-found={parts ? 'true' : 'false'}>
        {parts ? (
          <>
            <PanelText text={parts.before} />
            <strong className="font-semibold text-slate-900">{parts.answer}</strong>
            {parts.after}
          </>
        ) : (
          noContrastChange(otherName)
        )}
      </p>
      {reader === 'operator' && <ContrastFacts view={view} />}
      {reader === 'operator' && scores && (
        <details className="text-sm">
          <summary className="cursor-pointer text-xs font-medium text-slate-700">Word values</summary>
          <div className="mt-2 space-y-3">
            <ScoredWords
              explanation={contrastAsScored(view)}
              scores={scores}
              label="Contrast"
              text={text}
              details={false}
              sides={{
                for: `Favours ${answerName}`,
                against: `Favours ${otherName}`,
                caption: `Positive values favour ${answerName} over ${otherName}, negative values ${otherName}.`,
              }}
            />
          </div>
        </details>
      )}
    </>
  );
}

/** The figures an operator reads under a contrast: the margin before and after the change, how the values were found, and the cost. */
function ContrastFacts({ view }: { view: ContrastView }) {
  const facts: string[] = [];
  if (view.margin !== null) {
    const after = view.change?.marginAfter;
    facts.push(`margin p(answer) − p(other) ${formatNumber(view.margin)}${after !== undefined && after !== null ? `, ${formatNumber(after)} after the change` : ''}`);
  }
  if (view.exact !== null) facts.push(view.exact ? 'exact Shapley values' : `Shapley values estimated from ${view.samples !== null ? view.samples.toLocaleString('en') : 'sampled'} coalitions`);
  if (view.tried !== null) facts.push(`${view.tried.toLocaleString('en')} changed texts tried`);
  if (view.change && view.change.removed.length > 0 && view.smallest) facts.push('no fewer words would do');
  else if (view.exhaustiveUpTo) facts.push(`every set of up to ${view.exhaustiveUpTo} ${view.exhaustiveUpTo === 1 ? 'word' : 'words'} tried`);
  facts.push(`${formatDuration(view.timing.ms)}, ${view.timing.forwardPasses.toLocaleString('en')} model runs`);
  const line = facts.join(' · ');
  return (
    <p className="text-xs text-slate-500" data-testid="why-contrast-facts">
      {line.charAt(0).toUpperCase() + line.slice(1)}
    </p>
  );
}

/** The contrast's words and values in the shape the word-score table reads. */
function contrastAsScored(view: ContrastView): ExplanationOf {
  return {
    method: 'contrast',
    version: 1,
    target: { index: 0, label: view.answer, probability: Number.NaN },
    settings: {},
    words: view.words,
    scores: view.scores,
    extra: {},
    timing: view.timing,
  };
}

function LegendSwatch({ rgb, label }: { rgb: readonly [number, number, number]; label: string }) {
  return (
    <span className="flex min-w-0 items-center gap-1.5">
      <span aria-hidden="true" className="size-3 shrink-0 rounded-sm ring-1 ring-slate-900/10" style={{ backgroundColor: `rgb(${rgb.join(' ')})` }} />
      <span className="break-words">{label}</span>
    </span>
  );
}
