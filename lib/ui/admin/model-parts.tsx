// Pieces the Model page's sections share: the section frame, the warning mark, and how a figure
// with its interval is said.
import type { Interval } from '@/lib/audit/report';
import { percent } from './format';

export function Section({ id, title, children, testId }: { id: string; title: string; children: React.ReactNode; testId?: string }) {
  return (
    <section id={id} aria-labelledby={`${id}-heading`} className="min-w-0 scroll-mt-4 rounded-xl border border-slate-200 bg-white p-3 sm:p-4" data-testid={testId ?? id}>
      <h2 id={`${id}-heading`} className="font-semibold text-brand-900">{title}</h2>
      {children}
    </section>
  );
}

/** A sub-section of the audit, with its own heading and anchor (warnings link to it). */
export function SubSection({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-heading`} className="mt-6 min-w-0 scroll-mt-4 border-t border-slate-100 pt-4" data-testid={id}>
      <h3 id={`${id}-heading`} className="font-semibold text-slate-900">{title}</h3>
      {children}
    </section>
  );
}

/** A warning sign that says so in words too, never by colour alone. */
export function WarningMark({ label = 'Warning' }: { label?: string }) {
  return (
    <span className="inline-flex items-center gap-1 font-medium text-amber-800" data-testid="warning-mark">
      <svg aria-hidden="true" viewBox="0 0 20 20" width="14" height="14" fill="currentColor" className="shrink-0">
        <path d="M8.3 2.9a2 2 0 0 1 3.4 0l6.6 11.6A2 2 0 0 1 16.6 17.5H3.4a2 2 0 0 1-1.7-3l6.6-11.6zM10 7a1 1 0 0 0-1 1v3.5a1 1 0 1 0 2 0V8a1 1 0 0 0-1-1zm0 8.2a1.1 1.1 0 1 0 0-2.2 1.1 1.1 0 0 0 0 2.2z" />
      </svg>
      {label}
    </span>
  );
}

/** A share as a percentage to one decimal, a whole number without it: "5.8 %", "5 %", "87 %". */
export function share(value: number): string {
  return percent(value, 1).replace(/\.0 %$/, ' %');
}

/** "95 % CI 82–91 %" (with no-break spaces: it never wraps inside), or why there is none. */
export function intervalText(interval: Interval, format: (value: number) => string = share): string {
  if (interval.low === null || interval.high === null) return 'no interval: too few cases';
  return `95 % CI ${format(interval.low).replace(/ %$/, '')}–${format(interval.high)}`.replace(/ /g, '\u00a0');
}

/** The language's English name with its tag: "English (en)". */
export function languageName(tag: string): string {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}
