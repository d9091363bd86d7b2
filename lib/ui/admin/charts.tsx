// Small inline-SVG charts. Each has a title and description for assistive technology and a
// data table behind a disclosure, so the numbers are there without the picture.

type Datum = { label: string; value: number };

const COLOURS = ['#1f5fbf', '#d97706', '#059669', '#7c3aed', '#dc2626', '#0891b2'];

function DataTable({ caption, rows, format }: { caption: string; rows: Datum[]; format: (value: number) => string }) {
  return (
    <details className="mt-1 text-xs text-slate-600">
      <summary className="cursor-pointer">Data</summary>
      <table className="mt-1">
        <caption className="sr-only">{caption}</caption>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row" className="pr-3 text-left font-normal">{row.label}</th>
              <td className="text-right font-mono">{format(row.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/**
 * Vertical bars: counts over days or bins. A chart drawn across two columns of the overview
 * takes `width` 1120 (twice the others') so that its text is drawn at the same size.
 */
export function ColumnChart({
  id,
  title,
  data,
  format = (v) => v.toLocaleString('en'),
  height = 160,
  width = 560,
}: {
  id: string;
  title: string;
  data: Datum[];
  format?: (value: number) => string;
  height?: number;
  width?: number;
}) {
  const pad = { left: 40, bottom: 28, top: 8 };
  const max = Math.max(1, ...data.map((d) => d.value));
  const band = (width - pad.left) / Math.max(1, data.length);
  const plot = height - pad.bottom - pad.top;
  const labelEvery = Math.max(1, Math.ceil(data.length / Math.max(1, Math.floor(width / 70))));
  return (
    <figure data-testid={`chart-${id}`}>
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{data.map((d) => `${d.label}: ${format(d.value)}`).join('; ')}</desc>
        <line x1={pad.left} x2={width} y1={height - pad.bottom} y2={height - pad.bottom} stroke="#cbd5e1" />
        <text x={pad.left - 4} y={pad.top + 8} textAnchor="end" fontSize="10" fill="#475569">{format(max)}</text>
        <text x={pad.left - 4} y={height - pad.bottom} textAnchor="end" fontSize="10" fill="#475569">0</text>
        {data.map((d, i) => {
          const h = (d.value / max) * plot;
          const x = pad.left + i * band;
          return (
            <g key={d.label}>
              <rect x={x + band * 0.1} y={height - pad.bottom - h} width={Math.max(1, band * 0.8)} height={h} fill={COLOURS[0]}>
                <title>{`${d.label}: ${format(d.value)}`}</title>
              </rect>
              {i % labelEvery === 0 ? (
                <text x={x + band / 2} y={height - pad.bottom + 14} textAnchor="middle" fontSize="10" fill="#475569">{d.label}</text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <DataTable caption={title} rows={data} format={format} />
    </figure>
  );
}

/** Horizontal bars with labels: distributions and word weights (negative values to the left). */
export function BarChart({ id, title, data, format = (v) => v.toLocaleString('en') }: { id: string; title: string; data: Datum[]; format?: (value: number) => string }) {
  const width = 560;
  const row = 18;
  const labelWidth = 200;
  const height = Math.max(row, data.length * row) + 4;
  const max = Math.max(1e-9, ...data.map((d) => Math.abs(d.value)));
  const hasNegative = data.some((d) => d.value < 0);
  const zero = hasNegative ? labelWidth + (width - labelWidth - 60) / 2 : labelWidth;
  const span = hasNegative ? (width - labelWidth - 60) / 2 : width - labelWidth - 60;
  return (
    <figure data-testid={`chart-${id}`}>
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full max-w-2xl" role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{data.map((d) => `${d.label}: ${format(d.value)}`).join('; ')}</desc>
        {data.map((d, i) => {
          const w = (Math.abs(d.value) / max) * span;
          const x = d.value >= 0 ? zero : zero - w;
          return (
            <g key={d.label} transform={`translate(0 ${i * row + 2})`}>
              <text x={labelWidth - 6} y={12} textAnchor="end" fontSize="11" fill="#0f172a">{d.label.length > 32 ? `${d.label.slice(0, 31)}…` : d.label}</text>
              <rect x={x} y={2} width={Math.max(1, w)} height={row - 6} fill={d.value >= 0 ? COLOURS[0] : COLOURS[4]} />
              <text x={(d.value >= 0 ? x + w : zero) + 4} y={12} fontSize="10" fill="#475569">{format(d.value)}</text>
            </g>
          );
        })}
      </svg>
      <DataTable caption={title} rows={data} format={format} />
    </figure>
  );
}

/** Vertical room one end-of-line label takes, in chart units. */
const LABEL_GAP = 12;

/**
 * Places labels at their wanted heights, pushed apart to at least `gap` and kept within
 * [top, bottom]: lines that end close together get labels that do not overlap.
 */
export function spreadLabels(labels: { name: string; y: number }[], gap: number, top: number, bottom: number): Map<string, number> {
  const sorted = [...labels].sort((a, b) => a.y - b.y);
  const placed = sorted.map((label) => label.y);
  for (let i = 0; i < placed.length; i++) placed[i] = Math.max(placed[i]!, i === 0 ? top : placed[i - 1]! + gap);
  // Pushed past the bottom: shift the stack up, as far as the top allows.
  const overflow = (placed.at(-1) ?? bottom) - bottom;
  if (overflow > 0) {
    for (let i = placed.length - 1; i >= 0; i--) placed[i] = Math.max(top + i * gap, i === placed.length - 1 ? placed[i]! - overflow : Math.min(placed[i]!, placed[i + 1]! - gap));
  }
  return new Map(sorted.map((label, i) => [label.name, placed[i]!]));
}

/** Lines over days, one per series (faithfulness per method). */
export function LineChart({ id, title, days, series, format = (v) => v.toFixed(2) }: { id: string; title: string; days: string[]; series: { name: string; points: (number | null)[] }[]; format?: (value: number) => string }) {
  const width = 560;
  const height = 180;
  const pad = { left: 40, right: 110, top: 8, bottom: 24 };
  const values = series.flatMap((s) => s.points.filter((p): p is number => p !== null));
  const min = Math.min(0, ...values);
  const max = Math.max(1e-9, ...values);
  const x = (i: number) => pad.left + (days.length <= 1 ? 0 : (i / (days.length - 1)) * (width - pad.left - pad.right));
  const y = (v: number) => pad.top + (1 - (v - min) / (max - min || 1)) * (height - pad.top - pad.bottom);
  const rows = series.flatMap((s) => s.points.flatMap((p, i) => (p === null ? [] : [{ label: `${s.name} ${days[i]}`, value: p }])));
  const labelPositions = spreadLabels(
    series.flatMap((s) => {
      const last = [...s.points].reverse().find((p) => p !== null);
      return last === undefined || last === null ? [] : [{ name: s.name, y: y(last) }];
    }),
    LABEL_GAP,
    pad.top + 4,
    height - pad.bottom,
  );
  return (
    <figure data-testid={`chart-${id}`}>
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full" role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{series.map((s) => `${s.name}: ${s.points.map((p, i) => (p === null ? '' : `${days[i]} ${format(p)}`)).filter(Boolean).join(', ')}`).join('; ')}</desc>
        <line x1={pad.left} x2={width - pad.right} y1={y(min)} y2={y(min)} stroke="#cbd5e1" />
        <text x={pad.left - 4} y={y(max) + 4} textAnchor="end" fontSize="10" fill="#475569">{format(max)}</text>
        <text x={pad.left - 4} y={y(min)} textAnchor="end" fontSize="10" fill="#475569">{format(min)}</text>
        {days.length ? <text x={x(0)} y={height - 6} fontSize="10" fill="#475569">{days[0]}</text> : null}
        {days.length > 1 ? (
          <text x={x(days.length - 1)} y={height - 6} textAnchor="end" fontSize="10" fill="#475569">{days[days.length - 1]}</text>
        ) : null}
        {series.map((s, k) => {
          const colour = COLOURS[k % COLOURS.length];
          const path = s.points
            .map((p, i) => (p === null ? null : `${x(i).toFixed(1)},${y(p).toFixed(1)}`))
            .filter(Boolean)
            .join(' L ');
          const labelY = labelPositions.get(s.name);
          return (
            <g key={s.name}>
              {path ? <path d={`M ${path}`} fill="none" stroke={colour} strokeWidth="2" /> : null}
              {s.points.map((p, i) => (p === null ? null : <circle key={i} cx={x(i)} cy={y(p)} r="2.5" fill={colour} />))}
              {labelY !== undefined ? (
                <text x={width - pad.right + 6} y={labelY + 4} fontSize="10" fill={colour}>{s.name}</text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <DataTable caption={title} rows={rows} format={format} />
    </figure>
  );
}

/** The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten at or above `value`: an axis end that reads well and wastes little. */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((factor) => factor * power >= value * (1 - 1e-9))!;
  // Rounded to 12 digits: 1.5 × 0.1 is 0.15000000000000002 in floating point.
  return Number((step * power).toPrecision(12));
}

export type IntervalDatum = {
  label: string;
  value: number;
  /** The interval's ends; null when it could not be estimated (too few cases). */
  low: number | null;
  high: number | null;
  /** A figure on the wrong side of the threshold: drawn in amber with a warning sign before its label. */
  flagged?: boolean;
};

/**
 * Horizontal bars with each figure's 95 % interval drawn as a whisker and an optional threshold
 * as a dashed line: the audit's flip rates, Disparate Impact ratios and Equal Opportunity
 * differences. The figures are in the description for assistive technology; the page shows
 * them in a table beside the chart.
 */
export function IntervalBarChart({
  id,
  title,
  data,
  threshold,
  max,
  format = (v) => v.toFixed(2),
}: {
  id: string;
  title: string;
  data: IntervalDatum[];
  threshold?: { value: number; label: string };
  /** The axis' upper end; by default the largest figure or interval end, rounded up. */
  max?: number;
  format?: (value: number) => string;
}) {
  // Narrow, so that on a 390 px phone the text is drawn near its own size; capped in width on a desktop.
  const width = 372;
  const row = 24;
  const labelWidth = 138;
  const pad = { top: threshold ? 18 : 6, right: 46, bottom: 20 };
  const end = max ?? niceCeiling(Math.max(1e-9, threshold?.value ?? 0, ...data.flatMap((d) => [d.value, d.high ?? d.value])));
  const plot = width - labelWidth - pad.right;
  const x = (v: number) => labelWidth + (Math.min(Math.max(v, 0), end) / end) * plot;
  const height = pad.top + data.length * row + pad.bottom;
  const bottom = pad.top + data.length * row;
  const interval = (d: IntervalDatum) => (d.low === null || d.high === null ? 'no interval' : `95 % CI ${format(d.low)}–${format(d.high)}`);
  const description = [
    ...data.map((d) => `${d.label}: ${format(d.value)} (${interval(d)})${d.flagged ? ', warning' : ''}`),
    ...(threshold ? [`${threshold.label}: ${format(threshold.value)}`] : []),
  ].join('; ');
  return (
    <figure data-testid={`chart-${id}`} className="min-w-0">
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full max-w-[460px]" role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {[0, end / 2, end].map((tick) => (
          <g key={tick}>
            <line x1={x(tick)} x2={x(tick)} y1={pad.top} y2={bottom} stroke="#e2e8f0" />
            <text x={x(tick)} y={bottom + 14} textAnchor={tick === 0 ? 'start' : tick === end ? 'end' : 'middle'} fontSize="10" fill="#475569">{format(tick)}</text>
          </g>
        ))}
        {/* The threshold first: the bars and the haloed figures are drawn over it. */}
        {threshold ? (
          <g>
            <line x1={x(threshold.value)} x2={x(threshold.value)} y1={pad.top - 4} y2={bottom} stroke="#b91c1c" strokeWidth="1.5" strokeDasharray="4 3" />
            <text x={x(threshold.value)} y={pad.top - 7} textAnchor={x(threshold.value) > width - 90 ? 'end' : 'middle'} fontSize="10" fill="#b91c1c">{threshold.label}</text>
          </g>
        ) : null}
        {data.map((d, i) => {
          const y = pad.top + i * row;
          const colour = d.flagged ? '#b45309' : COLOURS[0];
          const hasInterval = d.low !== null && d.high !== null;
          const valueX = Math.min(Math.max(x(d.value), hasInterval ? x(d.high!) : 0) + 5, width - pad.right + 5);
          return (
            <g key={d.label} data-flagged={d.flagged ? 'true' : undefined}>
              <text x={labelWidth - 6} y={y + 16} textAnchor="end" fontSize="12" fill={d.flagged ? '#92400e' : '#0f172a'} fontWeight={d.flagged ? 600 : 400}>
                {d.flagged ? '⚠ ' : ''}
                {d.label.length > 17 ? `${d.label.slice(0, 16)}…` : d.label}
              </text>
              <rect x={labelWidth} y={y + 6} width={Math.max(1, x(d.value) - labelWidth)} height={row - 12} rx="2" fill={colour} fillOpacity={0.85} />
              {hasInterval ? (
                <g stroke="#0f172a" strokeWidth="1.5">
                  <line x1={x(d.low!)} x2={x(d.high!)} y1={y + row / 2} y2={y + row / 2} />
                  <line x1={x(d.low!)} x2={x(d.low!)} y1={y + 7} y2={y + row - 7} />
                  <line x1={x(d.high!)} x2={x(d.high!)} y1={y + 7} y2={y + row - 7} />
                </g>
              ) : null}
              {/* A white ground keeps the figure legible where the threshold line crosses it (width estimated from its characters). */}
              <rect x={valueX - 2} y={y + 5} width={format(d.value).length * 6.6 + 4} height={row - 10} fill="#ffffff" fillOpacity={0.9} />
              <text x={valueX} y={y + 16} fontSize="11" fill="#334155">{format(d.value)}</text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
