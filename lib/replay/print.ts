// The replay report as the terminal shows it: Markdown tables (lib/audit/print.ts), so the same
// text goes into an issue or a pull request as it is.
import { markdownTable } from '@/lib/audit/print';
import { shortVersion } from '@/lib/bot/registry';
import type { ReplayAnswer, ReplayReport } from './report';

/** Flip pairs and flipped groups the table shows (the JSON report has them all). */
const SHOWN = 10;

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const share = (part: number, whole: number) => (whole > 0 ? pct(part / whole) : 'n/a');
const signed = (x: number, format: (x: number) => string) => (x > 0 ? `+${format(x)}` : x < 0 ? `−${format(-x)}` : format(0));

function answer(value: ReplayAnswer): string {
  return value.kind === 'answer' || value.kind === 'clarify' ? `${value.kind} ${value.intent} (${value.p.toFixed(2)})` : `${value.kind} (${value.intent} ${value.p.toFixed(2)})`;
}

/** A text on one table line: line breaks and pipes escaped, at most 60 characters. */
function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}

export function formatReplay(report: ReplayReport): string {
  const out: string[] = [];
  const n = report.messages;
  out.push(`bot          ${report.botId}`);
  out.push(`active       ${report.active.name} (${shortVersion(report.active.version)}, ${report.active.labels} labels)`);
  out.push(`candidate    ${report.candidate.name} (${shortVersion(report.candidate.version)}, ${report.candidate.labels} labels)`);
  out.push(
    `messages     ${n} stored customer messages from ${report.window.from.slice(0, 10)} to ${report.window.to.slice(0, 10)} (the last ${report.window.days} days${report.settings.limit !== null ? `, at most ${report.settings.limit}, newest first` : ''})`,
  );
  out.push('');
  out.push(`Agreement: the customer gets the same answer for ${pct(report.agreement)} of messages; the top intent is the same for ${pct(report.sameTopIntent)}.`);

  out.push('', 'Decision mix', '');
  out.push(
    markdownTable(
      ['decision', 'active', 'candidate', 'change'],
      report.decisionMix.kinds.map((row) => [row.kind, `${row.active} (${share(row.active, n)})`, `${row.candidate} (${share(row.candidate, n)})`, signed(row.candidate - row.active, String)]),
    ),
  );
  if (report.decisionMix.transitions.length) {
    out.push('', markdownTable(['decision changes', 'messages'], report.decisionMix.transitions.map((row) => [`${row.from} → ${row.to}`, String(row.count)])));
  }

  const flips = n - Math.round(report.agreement * n);
  if (report.flipsByPair.length) {
    out.push('', `Answer changes (${flips} messages; the ${Math.min(SHOWN, report.flipsByPair.length)} most frequent)`, '');
    out.push(markdownTable(['active', 'candidate', 'messages', 'share'], report.flipsByPair.slice(0, SHOWN).map((pair) => [pair.from, pair.to, String(pair.count), share(pair.count, n)]), ['l', 'l', 'r', 'r']));
  }

  const { labelled } = report;
  out.push('', `Labelled messages (a review's intent, else the label a resolved hand-off teaches): ${labelled.messages}`);
  if (labelled.messages > 0) {
    const row = (name: string, counts: { messages: number; activeCorrect: number; candidateCorrect: number }) => [
      name,
      String(counts.messages),
      `${counts.activeCorrect} (${share(counts.activeCorrect, counts.messages)})`,
      `${counts.candidateCorrect} (${share(counts.candidateCorrect, counts.messages)})`,
    ];
    out.push('', markdownTable(['labels from', 'messages', 'active right', 'candidate right'], [row('reviews', labelled.bySource.review), row('hand-offs', labelled.bySource.handoff), row('all', labelled)]));
  }

  out.push('', 'Audit', '');
  if (report.audit.deltas.length) {
    const value = (metric: string, x: number | null) => (x === null ? 'n/a' : metric === 'warnings' ? String(x) : metric === 'minDisparateImpact' ? x.toFixed(2) : pct(x));
    const delta = (metric: string, x: number | null) => (x === null ? 'n/a' : metric === 'warnings' ? signed(x, String) : metric === 'minDisparateImpact' ? signed(x, (v) => v.toFixed(2)) : signed(x, (v) => `${(100 * v).toFixed(1)} pt`));
    out.push(markdownTable(['metric', 'active', 'candidate', 'change'], report.audit.deltas.map((row) => [row.metric, value(row.metric, row.active), value(row.metric, row.candidate), delta(row.metric, row.delta)])), '');
  }
  out.push(report.audit.note);

  if (report.flipped.length) {
    out.push('', `Flipped messages (${report.flippedGroups} groups of similar messages; the ${Math.min(SHOWN, report.flipped.length)} sent by the most customers)`, '');
    out.push(
      markdownTable(
        ['customers', 'messages', 'text', 'active', 'candidate', 'label'],
        report.flipped.slice(0, SHOWN).map((group) => [String(group.customers), String(group.messages), clip(group.text), answer(group.active), answer(group.candidate), group.label ?? '']),
        ['r', 'r', 'l', 'l', 'l', 'l'],
      ),
    );
  }
  out.push('', `${report.seconds.toFixed(1)} s`);
  return out.join('\n');
}
