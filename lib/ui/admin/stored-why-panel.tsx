'use client';

import { useEffect, useState, useSyncExternalStore } from 'react';
import { humanizeIntent } from '@/lib/bot/answers';
import { shortVersion } from '@/lib/bot/registry';
import { devicePreferenceFrom } from '@/lib/chat/protocol';
import { StoredContrasts } from '@/lib/chat/stored-contrasts';
import { adminPost } from '@/lib/ui/admin/csrf-fetch';
import { VisitorText } from '@/lib/ui/text';
import { WhyPanel, type ContrastControl, type Provenance, type WhyPrediction } from '@/lib/ui/explain/why-panel';

/** What an operator's page needs to work out contrasts of a stored prediction in the browser and store them. */
export interface ContrastComputing {
  predictionId: string;
  csrfToken: string;
  /** The prediction's bot: its model is loaded from this site (lib/bot/registry `versionUrl`). */
  bot: string;
  /**
   * The model version the prediction names (a content hash, stored and not retired): its model
   * works out the contrasts, as it made the prediction. Absent: the version the bot serves now.
   */
  version?: string;
  /** Where the ONNX runtime's files are served. */
  runtimePath: string;
  /** The labels of that version's model, any of which the answer may be compared with. */
  labels: readonly string[];
}

/**
 * Where a stored panel's explanations come from: a stored prediction's (when it was stored, and
 * the backend the visitor's browser ran), or any other `provenance` (the audit's worst flips).
 */
type StoredSource = { storedAt: string; backend: string; provenance?: undefined } | { provenance: Provenance; storedAt?: undefined; backend?: undefined };

/** A model version that was retired: nothing more can be worked out with it, only what is stored is shown. */
export type RetiredVersion = { version: string; retiredAt: string; reason: string | null };

/**
 * The chat's why-panel for an operator, rendered from the stored explanation objects as they
 * are (the panel reads them itself), with the technical details open. Intent names come as a
 * map from the server page (`intentNames`): functions cannot cross to a client component. With
 * `contrasts`, the operator can also compare the answer with any other intent: the bot's model
 * runs in this browser on the stored message, and the contrast is stored with the prediction.
 */
export function StoredWhyPanel({
  intentNames,
  explanations,
  prediction,
  id = 'admin-why',
  text,
  contrasts,
  retiredVersion,
  ...source
}: {
  intentNames: Readonly<Record<string, string>>;
  explanations: readonly unknown[];
  prediction: WhyPrediction;
  /** Unique on the page: a transcript shows one panel per bot reply. */
  id?: string;
  /** The stored (masked) message the explanation is about: the panel draws it word by word. */
  text?: string;
  contrasts?: ContrastComputing;
  /** The prediction's model version was retired: it says so, and offers no contrasts. */
  retiredVersion?: RetiredVersion;
} & StoredSource) {
  const contrast = useOperatorContrasts(retiredVersion ? undefined : contrasts, text ?? '', prediction.intent);
  return (
    <>
      {retiredVersion ? <RetiredVersionNote retired={retiredVersion} /> : null}
      <WhyPanel
        explanations={explanations}
        prediction={prediction}
        labelOf={(intent) => (Object.hasOwn(intentNames, intent) ? intentNames[intent]! : humanizeIntent(intent))}
        status="ready"
        id={id}
        text={text}
        reader="operator"
        provenance={source.provenance ?? { kind: 'stored', storedAt: source.storedAt, backend: source.backend }}
        contrast={contrast}
      />
    </>
  );
}

/** Says that the version that made a prediction was retired, when and why: what is stored is all there is of it. */
function RetiredVersionNote({ retired }: { retired: RetiredVersion }) {
  return (
    <p className="mb-3 rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-950" data-testid="retired-version-note">
      The model version that made this prediction, <code className="text-xs">{shortVersion(retired.version)}</code>, was retired on {retired.retiredAt}
      {retired.reason ? (
        <>
          {' '}(“<VisitorText text={retired.reason} showControls />”)
        </>
      ) : null}
      : it no longer runs, so only what was stored is shown and no other answer can be compared.
    </p>
  );
}

const NO_CONTRASTS = { subscribe: () => () => {}, getState: () => undefined };

/** The operator's contrasts of one stored prediction, worked out on this page and stored through the admin API; undefined without `computing`. */
function useOperatorContrasts(computing: ContrastComputing | undefined, storedText: string, answer: string): ContrastControl | undefined {
  const [runner] = useState(() =>
    computing
      ? new StoredContrasts({
          bot: computing.bot,
          runtimePath: computing.runtimePath,
          version: computing.version,
          device: typeof window === 'undefined' ? 'auto' : devicePreferenceFrom(window.location.search),
          text: storedText,
          answer,
          store: (explanation) => storeContrast(computing, explanation),
        })
      : null,
  );
  useEffect(() => () => runner?.dispose(), [runner]);
  const source = runner ?? NO_CONTRASTS;
  const states = useSyncExternalStore(source.subscribe, source.getState, source.getState);
  if (!runner || !computing) return undefined;
  return { states, request: runner.request, choices: computing.labels };
}

/** Posts a contrast to the admin API and gives back the contrast as stored, or throws the server's reason. */
async function storeContrast(computing: ContrastComputing, explanation: unknown): Promise<unknown> {
  const response = await adminPost(`/api/admin/predictions/${computing.predictionId}/contrasts`, computing.csrfToken, { explanation });
  const body = (await response.json().catch(() => null)) as { explanation?: unknown; error?: { message?: unknown } } | null;
  if (!response.ok) throw new Error(typeof body?.error?.message === 'string' ? body.error.message : `the server answered ${response.status}`);
  return body?.explanation ?? explanation;
}
