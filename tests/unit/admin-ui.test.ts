import { describe, expect, it } from 'vitest';
import { spreadLabels } from '@/lib/ui/admin/charts';
import { relabelChoices } from '@/lib/ui/admin/review-panel';
import { escapeBidiControls, hasBidiControls } from '@/lib/ui/text';

describe('chart labels', () => {
  it('keeps labels at their lines when there is room', () => {
    expect([...spreadLabels([{ name: 'a', y: 20 }, { name: 'b', y: 80 }], 12, 10, 150)]).toEqual([['a', 20], ['b', 80]]);
  });

  it('pushes labels of lines that end together apart, inside the plot', () => {
    const placed = spreadLabels(['LIME', 'Occlusion', 'Attention', 'Attention rollout'].map((name) => ({ name, y: 148 })), 12, 10, 150);
    const ys = [...placed.values()].sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(12);
    expect(Math.max(...ys)).toBeLessThanOrEqual(150);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(10);
  });
});

describe('relabelling', () => {
  const intents = ['activate_my_card', 'card_arrival', 'change_pin', 'lost_or_stolen_card', 'out_of_scope'].map((intent) => ({ intent, label: intent }));

  it('offers the runners-up first, most probable first, then the rest, never the predicted intent', () => {
    const choices = relabelChoices('card_arrival', intents, ['card_arrival', 'lost_or_stolen_card', 'out_of_scope', 'not_an_intent']);
    expect(choices.runnersUp.map((c) => c.intent)).toEqual(['lost_or_stolen_card', 'out_of_scope']);
    expect(choices.rest.map((c) => c.intent)).toEqual(['activate_my_card', 'change_pin']);
  });
});

describe('bidirectional controls', () => {
  it('shows every override and isolate control as a visible escape', () => {
    const text = 'invoice\u202Efdp.exe \u202A\u202B\u202C\u202D \u2066\u2067\u2068\u2069 plain';
    expect(hasBidiControls(text)).toBe(true);
    expect(hasBidiControls('plain text, عربى')).toBe(false);
    const shown = escapeBidiControls(text);
    expect(shown).toBe('invoice⟨U+202E⟩fdp.exe ⟨U+202A⟩⟨U+202B⟩⟨U+202C⟩⟨U+202D⟩ ⟨U+2066⟩⟨U+2067⟩⟨U+2068⟩⟨U+2069⟩ plain');
    expect(hasBidiControls(shown)).toBe(false);
  });
});
