'use client';

import { intentLabel, loadBotContent } from '@/lib/bot/answers';
import { WhyPanel, type WhyPrediction } from '@/lib/ui/explain/why-panel';

/**
 * The chat's why-panel for an operator, rendered from the stored explanation objects as they
 * are (the panel reads them itself), with the technical details open. Labels come from the
 * bot's display names, loaded here: functions cannot cross from the server page.
 */
export function StoredWhyPanel({
  botId,
  explanations,
  prediction,
  storedAt,
  backend,
}: {
  botId: string;
  explanations: readonly unknown[];
  prediction: WhyPrediction;
  storedAt: string;
  backend: string;
}) {
  const content = loadBotContent(botId);
  return (
    <WhyPanel
      explanations={explanations}
      prediction={prediction}
      labelOf={(intent) => intentLabel(content, intent, 'operator')}
      status="ready"
      id="admin-why"
      reader="operator"
      provenance={{ kind: 'stored', storedAt, backend }}
    />
  );
}
