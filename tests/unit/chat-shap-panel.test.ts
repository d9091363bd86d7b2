// The panel's expert view when the time budget dropped SHAP: a plain line saying so with a real
// button to compute it now, in a region that announces its changes politely; its progress and its
// failure; once computed, SHAP in the method switcher and the faithfulness figures like any
// word-scoring method. And where explanations come from, said under the technical details: the
// audit's worst flips say the audit computed them, not a visitor's browser.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { SkippedState } from '@/lib/chat/skipped';
import { limeExplainer } from '@/lib/explain';
import { StoredWhyPanel } from '@/lib/ui/admin/stored-why-panel';
import { WhyPanel, type WhyPanelProps } from '@/lib/ui/explain/why-panel';
import fixture from '@/tests/fixtures/explanations.json';

const lime = fixture.explanations.find((explanation) => explanation.method === 'lime')!;

/** SHAP of the fixture's message as the worker gives it on request: exact (7 words), with its faithfulness. */
const shap = {
  method: 'shap',
  version: 1,
  target: lime.target,
  settings: { samples: 1000, seed: 42, exactUpTo: 10, timeBudgetMs: 2000, minSamples: 400, batchSize: 64 },
  words: lime.words,
  scores: [0.011, 0.19, 0.02, -0.05, 0.16, 0.41, 0.06],
  extra: { baseValue: 0.078, fx: 0.87, exact: true, samples: 126, distinctTexts: 128, stoppedByBudget: false, additivityGap: 0 },
  faithfulness: { ...lime.faithfulness, meanComprehensiveness: 0.5123 },
  timing: { ms: 612.5, forwardPasses: 2 },
};

const labelOf = (intent: string) => intent.replace(/_/g, ' ');
/** The expert view open (an operator's default), as the chat would show it with the session's control. */
const render = (props: Partial<WhyPanelProps> = {}, skipped?: readonly SkippedState[]) =>
  renderToStaticMarkup(
    createElement(WhyPanel, {
      explanations: fixture.explanations,
      prediction: fixture.prediction,
      labelOf,
      status: 'ready',
      text: fixture.text,
      reader: 'operator',
      contrast: { states: undefined, request: () => {}, ...(skipped ? { skipped: { methods: skipped, request: () => {} } } : {}) },
      ...props,
    }),
  );
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\u2068|\u2069/g, '');

/** The markup of the element whose opening tag carries `marker`, up to where `until` starts. */
function slice(html: string, marker: string, until: string): string {
  const at = html.indexOf(marker);
  expect(at, `${marker} is drawn`).toBeGreaterThan(0);
  const from = html.lastIndexOf('<', at);
  return html.slice(from, html.indexOf(until, at));
}
/** The region of lines under the method switcher (the chosen method's description follows it: LIME's). */
const skippedRegion = (html: string) => slice(html, 'data-testid="why-skipped"', limeExplainer.description.slice(0, 20));
/** The SHAP entry of the method switcher. */
const switcherEntry = (html: string) => text(slice(html, 'data-testid="why-method-shap"', '</label>'));

const DROPPED: SkippedState = { method: 'shap', reason: 'time budget' };

describe('SHAP dropped by the time budget, in the expert view', () => {
  it('says in plain words that it was not computed and why, with a real button to compute it now, in a polite live region', () => {
    const html = render({}, [DROPPED]);
    const region = skippedRegion(html);
    expect(region).toContain('aria-live="polite"');
    expect(region).toContain('data-status="skipped"');
    expect(text(region)).toContain('SHAP was not computed: it did not fit in the panel’s time budget.');
    expect(region).toMatch(/<button type="button"[^>]*data-testid="why-compute-skipped"[^>]*data-method="shap"[^>]*>Compute SHAP now<\/button>/);
    // The switcher names it, and says to a screen reader why it has no scores.
    expect(switcherEntry(html)).toBe('SHAP (not computed)');
    // Without the control (a stored panel), nothing is offered.
    expect(render({ contrast: undefined })).not.toContain('why-skipped');
  });

  it('shows its progress without the button while it is computed, and its failure with the button again', () => {
    const computing = render({}, [{ ...DROPPED, run: { status: 'computing', progress: null } }]);
    const region = text(skippedRegion(computing));
    expect(region).toBe('Computing SHAP without the time budget…');
    expect(computing).not.toContain('Compute SHAP now');
    expect(switcherEntry(computing)).toBe('SHAP (computing)');

    const failed = render({}, [{ ...DROPPED, run: { status: 'failed', error: 'The inference worker was stopped.' } }]);
    const line = skippedRegion(failed);
    expect(line).toContain('data-status="failed"');
    expect(text(line)).toContain('SHAP could not be computed: The inference worker was stopped.');
    expect(line).toContain('>Compute SHAP now</button>');
  });

  it('once computed, joins the switcher and the faithfulness figures like any word-scoring method, with how its values were reached', () => {
    const html = render({ explanations: [...fixture.explanations, shap] });
    expect(html).not.toContain('why-skipped');
    expect(switcherEntry(html)).toBe('SHAP');
    const table = slice(html, 'data-testid="why-faithfulness-table"', '</table>');
    const row = text(slice(table, 'data-method="shap"', '</tr>'));
    // Its mean comprehensiveness, and first: its comprehensiveness − sufficiency is now the highest.
    expect(row).toMatch(/^SHAP \(most faithful\).*0\.51/);
    expect(text(html)).toContain('Most faithful for this answer: SHAP');
  });
});

describe('where the explanations come from', () => {
  const provenance = (html: string) => text(slice(html, 'data-testid="why-provenance"', '</p>'));

  it('says that the audit computed a worst flip’s explanations, when and where, and what they cost', () => {
    const html = render({ contrast: undefined, provenance: { kind: 'audit', computedAt: '12 May 2026, 10:04', runtime: 'Node.js on the CPU' } });
    expect(provenance(html)).toMatch(/^Computed by the audit on 12 May 2026, 10:04 in Node\.js on the CPU: .+, [\d,]+ model runs\.$/);
    expect(provenance(html)).not.toContain('browser');
  });

  it('a stored panel says what it is given, else where a stored prediction came from', () => {
    const common = { intentNames: {}, explanations: fixture.explanations, prediction: fixture.prediction, text: fixture.text };
    const audit = renderToStaticMarkup(createElement(StoredWhyPanel, { ...common, provenance: { kind: 'audit', computedAt: '12 May 2026, 10:04', runtime: 'Node.js on the CPU' } }));
    expect(provenance(audit)).toMatch(/^Computed by the audit on 12 May 2026, 10:04 in Node\.js on the CPU: /);
    const stored = renderToStaticMarkup(createElement(StoredWhyPanel, { ...common, storedAt: '3 May 2026, 09:00', backend: 'WebGPU' }));
    expect(provenance(stored)).toMatch(/^Stored with the prediction on 3 May 2026, 09:00; computed in the visitor's browser on WebGPU: /);
  });
});
