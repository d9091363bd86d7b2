'use client';

import { humanizeIntent } from '@/lib/bot/answers';
import { WhyPanel, type WhyPrediction } from '@/lib/ui/explain/why-panel';

/**
 * The chat's why-panel for an operator, rendered from the stored explanation objects as they
 * are (the panel reads them itself), with the technical details open. Intent names come as a
 * map from the server page (`intentNames`): functions cannot cross to a client component.
 */
export function StoredWhyPanel({
  intentNames,
  explanations,
  prediction,
  storedAt,
  backend,
  id = 'admin-why',
  text,
}: {
  intentNames: Readonly<Record<string, string>>;
  explanations: readonly unknown[];
  prediction: WhyPrediction;
  storedAt: string;
  backend: string;
  /** Unique on the page: a transcript shows one panel per bot reply. */
  id?: string;
  /** The stored (masked) message the explanation is about: the panel draws it word by word. */
  text?: string;
}) {
  return (
    <WhyPanel
      explanations={explanations}
      prediction={prediction}
      labelOf={(intent) => (Object.hasOwn(intentNames, intent) ? intentNames[intent]! : humanizeIntent(intent))}
      status="ready"
      id={id}
      text={text}
      reader="operator"
      provenance={{ kind: 'stored', storedAt, backend }}
    />
  );
}
