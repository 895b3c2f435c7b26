// Charts drawn as SVG by React on the server: no chart library and no script, so they show without
// JavaScript, print, and cost a few kilobytes. Every chart sits beside a table with its numbers
// (ChartPair), which is also what a screen reader reads; the SVG is one labelled image.
import type { ReactNode } from "react";

export interface Series {
  key: string;
  label: string;
  colour: string;
}

const W = 360;
/** 16 of 360 units: about 14 px on a 390 px phone, where the chart is ~320 px wide. */
const FONT = 16;

/** An axis up to at least `max` in about four whole steps of 1, 2 or 5 times a power of ten. */
export function axis(max: number): { top: number; ticks: number[] } {
  const raw = Math.max(1, max) / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p);
  const n = Math.max(1, Math.ceil(Math.max(0, max) / step));
  return { top: n * step, ticks: Array.from({ length: n + 1 }, (_, i) => i * step) };
}

/** Axis numbers in few characters: 12000 → 1.2万. */
export function shortNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 10_000) return `${+(n / 10_000).toFixed(a >= 100_000 ? 0 : 1)}万`;
  return String(n);
}

function Legend({ series }: { series: Series[] }) {
  if (series.length < 2) return null;
  return (
    <ul className="legend">
      {series.map((s) => (
        <li key={s.key}>
          <span className="swatch" style={{ background: s.colour }} aria-hidden="true" />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** Rectangles of one colour as one path: a chart is a handful of elements however many villages it shows. */
class Bars {
  private d: string[][];
  constructor(n: number) {
    this.d = Array.from({ length: n }, () => []);
  }
  add(k: number, x: number, y: number, w: number, h: number): void {
    if (w > 0 && h > 0) this.d[k].push(`M${r1(x)} ${r1(y)}h${r1(w)}v${r1(h)}h${r1(-w)}z`);
  }
  paths(series: Series[]) {
    return this.d.map((d, k) => (d.length ? <path key={series[k].key} d={d.join("")} fill={series[k].colour} /> : null));
  }
}

/**
 * Columns over time (months), each stacked from its series' values. Values below zero are drawn as
 * zero: the stacked figures (issued, redeemed, held) are never negative; the table shows the exact ones.
 */
export function ColumnChart({ id, title, months, series, values }: { id: string; title: string; months: string[]; series: Series[]; values: number[][] }) {
  const H = 236;
  const left = 48;
  const bottom = 40;
  const top = 10;
  const plotW = W - left - 6;
  const plotH = H - top - bottom;
  const totals = values.map((col) => col.reduce((n, v) => n + Math.max(0, v), 0));
  const { top: max, ticks } = axis(Math.max(0, ...totals));
  const slot = plotW / Math.max(1, months.length);
  const colW = Math.max(2, slot * 0.68);
  const every = Math.ceil(months.length / 12);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const bars = new Bars(series.length);
  values.forEach((col, i) => {
    let acc = 0;
    const x = left + i * slot + (slot - colW) / 2;
    col.forEach((v, k) => {
      const h = (Math.max(0, v) / max) * plotH;
      bars.add(k, x, y(acc) - h, colW, h);
      acc += Math.max(0, v);
    });
  });
  return (
    <figure className="chart" data-chart={id}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title`} fontSize={FONT}>
        <title id={`${id}-title`}>{title}</title>
        <path d={ticks.map((t) => `M${left} ${r1(y(t))}H${W - 6}`).join("")} stroke="#ddd" strokeWidth={1} />
        {ticks.map((t) => (
          <text key={t} x={left - 4} y={r1(y(t))} dy="0.35em" textAnchor="end" fill="#555">{shortNumber(t)}</text>
        ))}
        {bars.paths(series)}
        {/* The month's number under its column, its year under the first column and each January. */}
        {months.map((m, i) =>
          i % every === 0 ? <text key={m} x={r1(left + i * slot + slot / 2)} y={H - 20} textAnchor="middle" fill="#333">{Number(m.slice(5))}</text> : null,
        )}
        {months.map((m, i) =>
          i === 0 || m.endsWith("-01") ? <text key={`y${m}`} x={r1(left + i * slot)} y={H - 4} fontSize={FONT - 2} fill="#555">{`${m.slice(0, 4)}年`}</text> : null,
        )}
        <text x={W - 6} y={H - 4} fontSize={FONT - 2} textAnchor="end" fill="#555">月</text>
        <path d={`M${left} ${r1(y(0))}H${W - 6}`} stroke="#555" strokeWidth={1} />
      </svg>
      <Legend series={series} />
    </figure>
  );
}

/**
 * One row per village or grid, with a bar per series (grouped) or the series end to end (stacked,
 * as shares of the row's total when `share` is set). `max` fixes the scale (100 for percentages).
 * A few rows get their values written at the bars' ends; many rows leave them to the table beside.
 */
export function BarChart({ id, title, labels, series, values, max: fixedMax, stacked, share, format = String }: {
  id: string;
  title: string;
  labels: string[];
  series: Series[];
  values: number[][];
  max?: number;
  stacked?: boolean;
  share?: boolean;
  format?: (n: number) => string;
}) {
  const left = 86;
  const right = 46;
  const bar = 15;
  const gap = 10;
  const rowH = (stacked ? bar : bar * series.length) + gap;
  const H = Math.max(40, labels.length * rowH + gap);
  const plotW = W - left - right;
  const rowTotal = (row: number[]) => row.reduce((n, v) => n + Math.max(0, v), 0);
  const max = share ? 1 : (fixedMax ?? axis(Math.max(0, ...values.map((row) => (stacked ? rowTotal(row) : Math.max(0, ...row))))).top);
  const w = (v: number) => (Math.max(0, v) / max) * plotW;
  const written = labels.length <= 10 && !share;
  const bars = new Bars(series.length);
  const notes: { x: number; y: number; text: string }[] = [];
  labels.forEach((_, i) => {
    const y0 = gap + i * rowH;
    const row = values[i];
    const total = rowTotal(row);
    const scale = share && total > 0 ? 1 / total : 1;
    let acc = 0;
    row.forEach((v, k) => {
      if (stacked) {
        bars.add(k, left + w(acc * scale), y0, w(Math.max(0, v) * scale), bar);
        acc += Math.max(0, v);
      } else {
        bars.add(k, left, y0 + k * bar, w(v), bar - 2);
        if (written) notes.push({ x: left + w(v) + 4, y: y0 + k * bar + (bar - 2) / 2, text: format(v) });
      }
    });
    if (stacked && written) notes.push({ x: left + w(total) + 4, y: y0 + bar / 2, text: format(total) });
  });
  return (
    <figure className="chart" data-chart={id}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title`} fontSize={FONT}>
        <title id={`${id}-title`}>{title}</title>
        <path d={`M${left} ${gap / 2}V${H - gap / 2}`} stroke="#555" strokeWidth={1} />
        {labels.map((label, i) => (
          <text key={i} x={left - 6} y={r1(gap + i * rowH + (rowH - gap) / 2)} dy="0.35em" textAnchor="end" fill="#333">{label.length > 5 ? `${label.slice(0, 5)}…` : label}</text>
        ))}
        {bars.paths(series)}
        {notes.map((n, i) => (
          <text key={i} x={r1(n.x)} y={r1(n.y)} dy="0.35em" fontSize={FONT - 2} fill="#333">{n.text}</text>
        ))}
      </svg>
      <Legend series={series} />
    </figure>
  );
}

/**
 * A chart with its numbers beside it (side by side on a wide screen and on paper, one under the other
 * on a phone). A `wide` table (a dozen columns) goes under its chart everywhere; a note under the table.
 */
export function ChartPair({ title, chart, children, id, note, wide }: { title: string; chart: ReactNode; children: ReactNode; id?: string; note?: string; wide?: boolean }) {
  return (
    <section className={wide ? "card chart-pair wide" : "card chart-pair"} id={id}>
      <h2>{title}</h2>
      <div className="pair">
        {chart}
        <div>
          <div className="table-wrap figures">{children}</div>
          {note ? <p className="muted small note">{note}</p> : null}
        </div>
      </div>
    </section>
  );
}
