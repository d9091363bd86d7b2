'use client';

import type { Explanation } from '@/lib/explain/types';
import { WhyPanel, type WhyPrediction } from '@/lib/ui/explain/why-panel';

/** The chat's why-panel, rendered from the stored explanation objects (labels passed as data: functions cannot cross to the client). */
export function StoredWhyPanel({ explanations, prediction, labels }: { explanations: Explanation[]; prediction: WhyPrediction; labels: Record<string, string> }) {
  return <WhyPanel explanations={explanations} prediction={prediction} labelOf={(intent) => labels[intent] ?? intent} status="ready" id="admin-why" />;
}
