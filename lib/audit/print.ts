// The audit report as the terminal shows it: Markdown tables, so the same text goes into a
// README or an issue as it is.
import type { AuditReport, Interval } from './report';

/** Characters a terminal draws two columns wide: CJK ideographs, kana, Hangul, full-width forms. */
const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff01-\uff60\uffe0-\uffe6]/u;

/** How many terminal columns a text takes. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

/** A Markdown table; `align` per column ('l' or 'r'), by default the first column left and the others right. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[] = headers.map((_, c) => (c === 0 ? 'l' : 'r'))): string {
  const widths = headers.map((header, c) => Math.max(3, displayWidth(header), ...rows.map((row) => displayWidth(row[c]!))));
  const pad = (cell: string, c: number) => {
    const fill = ' '.repeat(widths[c]! - displayWidth(cell));
    return align[c] === 'r' ? fill + cell : cell + fill;
  };
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((width, c) => (align[c] === 'r' ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const num = (x: number) => x.toFixed(2);
/** A figure with its interval: "12.0 % [9.1, 15.3]". */
function withInterval(interval: Interval, format: (x: number) => string, bare: (x: number) => string = (x) => format(x).replace(' %', '')): string {
  return interval.low === null || interval.high === null ? `${format(interval.value)} [n/a]` : `${format(interval.value)} [${bare(interval.low)}, ${bare(interval.high)}]`;
}

export function formatReport(report: AuditReport): string {
  const out: string[] = [];
  const { data } = report;
  out.push(`model        ${report.model.name} (version ${report.model.version}, language ${report.model.language})${report.botId ? `, bot ${report.botId}` : ''}`);
  out.push(
    `data         ${data.source === 'file' ? 'labelled file' : "the model's similar-questions index"}: ${data.rows} rows, ${data.intents} intents; ${data.sampled ?? data.rows} messages sampled (stratified by intent)${data.tooLong ? `, ${data.tooLong} rows too long to read` : ''}`,
  );
  out.push(`word lists   ${report.lists.language}: ${report.lists.used.join(', ') || 'none'}${report.lists.missing.length ? `; missing: ${report.lists.missing.join(', ')}` : ''}`);
  out.push('', 'Invariance (answer = the policy\'s decision and its intent; 95 % bootstrap intervals over messages)', '');
  out.push(
    markdownTable(
      ['type', 'family', 'cases', 'flip rate [95 % CI]', 'mean \\|Δp\\|', ''],
      report.invariance.map((row) => [row.type, row.family, String(row.cases), withInterval(row.flipRate, pct), row.meanAbsDeltaP.toFixed(3), row.warn ? 'over 5 %' : '']),
    ),
  );
  if (report.fairness.length) {
    out.push('', 'Fairness (labelled in-scope messages; answer rate = answered or asked, not handed off)', '');
    out.push(
      markdownTable(
        ['attribute', 'groups', 'answer rate (lowest–highest)', 'Disparate Impact [95 % CI]', 'four-fifths', 'accuracy (lowest–highest)', 'EO difference [95 % CI]'],
        report.fairness.map((row) => {
          const rates = row.groups.map((group) => group.answerRate);
          const accuracies = row.groups.map((group) => group.accuracy);
          const lowest = row.groups.find((group) => group.answerRate === Math.min(...rates))!;
          return [
            row.attribute,
            String(row.groups.length),
            `${pct(Math.min(...rates))}${Math.min(...rates) < Math.max(...rates) ? ` (${lowest.group})` : ''} – ${pct(Math.max(...rates))}`,
            withInterval(row.disparateImpact, num),
            row.fourFifthsViolated ? 'FAILS' : 'passes',
            `${pct(Math.min(...accuracies))} – ${pct(Math.max(...accuracies))}`,
            withInterval(row.equalOpportunityDifference, (x) => `${(100 * x).toFixed(1)} pt`, (x) => (100 * x).toFixed(1)),
          ];
        }),
      ),
    );
  }
  if (report.negation) {
    out.push('', `Negation (reported, not judged): ${report.negation.cases} negated messages; the answer changed for ${withInterval(report.negation.flipRate, pct)}, mean |Δp| ${report.negation.meanAbsDeltaP.toFixed(3)}`);
  }
  const robust = report.explanationRobustness;
  if (robust) {
    out.push('', `Explanation robustness: ${robust.cases} messages and a variant that keeps their words (filler, politeness, punctuation)`, '');
    out.push(markdownTable(['method', 'top-3 overlap on shared words [95 % CI]'], robust.top3Overlap.map((row) => [row.method, withInterval(row.overlap, num)])));
    out.push(robust.methodDisagreement ? `methods disagree on the top word in ${withInterval(robust.methodDisagreement, pct)} of messages` : 'method disagreement: only one word-scoring method ran');
  }
  if (report.worstFlips.length) {
    out.push('', 'Worst flips', '');
    out.push(
      markdownTable(
        ['type', 'text', 'answer', 'variant', 'answer', 'p → p'],
        report.worstFlips.map((flip) => [
          flip.type,
          clip(flip.original),
          `${flip.originalDecision ?? ''} ${flip.originalIntent}`.trim(),
          clip(flip.variant),
          `${flip.variantDecision ?? ''} ${flip.variantIntent}`.trim(),
          `${flip.originalP.toFixed(2)} → ${flip.variantP.toFixed(2)}`,
        ]),
        ['l', 'l', 'l', 'l', 'l', 'r'],
      ),
    );
  }
  if (report.warnings.length) {
    out.push('', 'Warnings', '');
    for (const warning of report.warnings) out.push(`- ${warning.message}`);
  }
  out.push('', `${report.seconds.toFixed(1)} s`);
  return out.join('\n');
}

/** A text on one table line: line breaks and pipes escaped, at most 60 characters. */
function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
}
