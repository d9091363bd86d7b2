/** A visitor's thumbs up or down, in words: no emoji font is needed to read it. */
export function FeedbackBadge({ helpful }: { helpful: boolean }) {
  return (
    <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${helpful ? 'bg-emerald-100 text-emerald-900' : 'bg-red-100 text-red-900'}`} data-feedback={helpful ? 'up' : 'down'}>
      {helpful ? 'Helpful' : 'Not helpful'}
    </span>
  );
}
