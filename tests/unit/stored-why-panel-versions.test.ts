// An operator's why-panel on a stored prediction whose model version was retired: it says which
// version, when and why, offers no contrast (nothing can run that model any more), and still
// shows everything stored. A version that is still stored offers contrasts as before.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { StoredWhyPanel } from '@/lib/ui/admin/stored-why-panel';
import fixture from '@/tests/fixtures/explanations.json';

const VERSION = '3f'.repeat(32);
const intentNames = Object.fromEntries(fixture.prediction.topK.map((entry) => [entry.intent, entry.intent.replace(/_/g, ' ')]));
const contrasts = { predictionId: '00000000-0000-4000-8000-000000000001', csrfToken: 'token', bot: 'banking77', version: VERSION, runtimePath: '/ort/', labels: fixture.prediction.topK.map((entry) => entry.intent) };

const render = (retiredVersion?: Parameters<typeof StoredWhyPanel>[0]['retiredVersion']) =>
  renderToStaticMarkup(
    createElement(StoredWhyPanel, {
      intentNames,
      explanations: fixture.explanations,
      prediction: fixture.prediction,
      text: fixture.text,
      storedAt: '2026-11-30 10:00:00 UTC',
      backend: 'wasm',
      contrasts,
      retiredVersion,
    }),
  );

describe('the operator’s panel on a prediction’s model version', () => {
  it('says the version was retired, when and why, shows what is stored, and offers no contrast', () => {
    const html = render({ version: VERSION, retiredAt: '2026-11-30 12:00:00 UTC', reason: 'handed off <too> often' });
    expect(html).toContain('data-testid="retired-version-note"');
    expect(html).toContain(`<code class="text-xs">${VERSION.slice(0, 12)}</code>, was retired on 2026-11-30 12:00:00 UTC`);
    expect(html).toContain('handed off &lt;too&gt; often');
    expect(html).toContain('only what was stored is shown');
    expect(html).toContain('data-testid="why-panel"');
    expect(html).not.toContain('data-testid="why-not"');
  });

  it('offers contrasts when the version is stored', () => {
    const html = render();
    expect(html).not.toContain('retired-version-note');
    expect(html).toContain('data-testid="why-not"');
  });
});
