// Text a visitor wrote, shown to someone else. Bidirectional controls (LRE, RLE, PDF, LRO, RLO,
// LRI, RLI, FSI, PDI) can make text display in another order than it was written: an
// RLO-trick file name, or a message that appears to say something it does not. Every such
// text is isolated from what surrounds it, and the admin sees the controls themselves.

const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

/** Whether the text holds a bidirectional control character. */
export function hasBidiControls(text: string): boolean {
  BIDI_CONTROLS.lastIndex = 0;
  return BIDI_CONTROLS.test(text);
}

/** "a\u202Eb" → "a⟨U+202E⟩b": the controls as visible escapes, which have no effect on the order. */
export function escapeBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, (char) => `\u27e8U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}\u27e9`);
}

/**
 * A visitor's text, isolated (`unicode-bidi: isolate`, direction from its own first strong
 * character) so it cannot reorder the page around it; with `showControls`, any bidirectional
 * controls are shown as escapes instead of acting.
 */
export function VisitorText({ text, showControls = false, className }: { text: string; showControls?: boolean; className?: string }) {
  const shown = showControls ? escapeBidiControls(text) : text;
  return (
    <bdi dir="auto" className={`[unicode-bidi:isolate] ${className ?? ''}`} data-bidi-controls={showControls && shown !== text ? 'shown' : undefined}>
      {shown}
    </bdi>
  );
}
