// Pieces shared by the township dashboard and the village report: the range form, the tables beside
// the charts, the attention list. Client-safe (no server code). Links to other pages are plain <a>:
// on a page of a hundred links, resolving each <Link> against the routes cost more than drawing
// everything else, and these links only ever open another page.
import { Form } from "@remix-run/react";
import { Fragment } from "react";
import { formatTime } from "~/platform/format";
import { DateField } from "~/ui/pickers";
import { BarChart, ChartPair, ColumnChart, type Series } from "./charts";
import {
  ATTENTION_LABELS, ATTENTION_ORDER, ISSUE_COLOURS, ISSUE_GROUPS, ISSUE_LABELS, MATRIX_FIGURES, MATRIX_LABELS, issuedTotal, percent, shortMonth, yuanOf,
  type AttentionItem, type MatrixFigure, type MonthRow, type Participation, type PointFigures, type TierCounts,
} from "./labels";

const ISSUE_SERIES: Series[] = ISSUE_GROUPS.map((g) => ({ key: g, label: ISSUE_LABELS[g], colour: ISSUE_COLOURS[g] }));
const OUT_SERIES: Series[] = [
  { key: "deducted", label: "扣分", colour: "#c62828" },
  { key: "redeemed", label: "兑换", colour: "#00838f" },
];
const HELD_SERIES: Series[] = [{ key: "held", label: "月末未兑积分", colour: "#5d4037" }];
const PARTICIPATION_SERIES: Series[] = [
  { key: "d30", label: "近 30 天", colour: "#2e7d32" },
  { key: "d90", label: "近 90 天", colour: "#a5d6a7" },
];
const TIER_COLOURS = ["#2e7d32", "#7cb342", "#f9a825", "#c62828", "#6d4c41", "#455a64", "#8e24aa"];
const tierSeries = (names: string[]): Series[] => names.map((n, i) => ({ key: n, label: n, colour: TIER_COLOURS[i % TIER_COLOURS.length] }));

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const monthsOf = (rows: MonthRow[]) => rows.map((r) => r.month);

/** The months (and, on the dashboard, the figure compared village by village) as a GET form: works without JavaScript. */
export function RangeForm({ values, errors, figure, keep }: {
  values: { from: string; to: string };
  errors?: Record<string, string>;
  /** Shows the figure chooser (the dashboard's, when its value was refused). */
  figure?: MatrixFigure;
  /** Hidden fields carried along (the figure the dashboard compares). */
  keep?: Record<string, string>;
}) {
  return (
    <Form method="get" className="filters range-form no-print" noValidate>
      {Object.entries(keep ?? {}).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
      <DateField label="从" name="from" month defaultValue={values.from} error={errors?.from} />
      <DateField label="到" name="to" month defaultValue={values.to} error={errors?.to} />
      {figure !== undefined || errors?.figure ? (
        <div>
          <label htmlFor="f-figure">各村逐月对比</label>
          <select id="f-figure" name="figure" defaultValue={figure ?? "issued"} aria-invalid={errors?.figure ? true : undefined} aria-describedby={errors?.figure ? "f-figure-err" : undefined}>
            {MATRIX_FIGURES.map((f) => <option key={f} value={f}>{MATRIX_LABELS[f]}</option>)}
          </select>
          {errors?.figure ? <p className="field-error" id="f-figure-err">{errors.figure}</p> : null}
        </div>
      ) : null}
      <button type="submit" className="secondary">查看</button>
    </Form>
  );
}

export function RangeLine({ range, asOf, every }: { range: { from: string; to: string }; asOf: number; every?: string }) {
  return (
    <p className="muted range-line">
      {shortMonth(range.from, true)} 至 {shortMonth(range.to, true)} · 数据截至 {formatTime(asOf)}{every ? `（${every}）` : ""}
      <span className="no-print"> · 打印：用浏览器的“打印”，排成 A4 横向</span>
    </p>
  );
}

/** 需要关注 for one village: each item on its own line, with a link where the viewer may act on it. */
export function AttentionList({ items }: { items: AttentionItem[] }) {
  return (
    <section className="card attention" data-testid="attention">
      <h2>需要关注 <span className="muted small">{items.length ? `${items.length} 项` : ""}</span></h2>
      {items.length === 0 ? (
        <p className="muted">目前没有需要关注的事项。</p>
      ) : (
        <ul className="entries attention-list">
          {items.map((x, i) => (
            <li key={i} data-kind={x.kind}>
              <div className="what">
                <span className={`tag attention-${x.kind}`}>{ATTENTION_LABELS[x.kind]}</span> {x.text}
              </div>
              {x.href ? <a href={x.href} className="pad no-print">去处理</a> : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export type AttentionBrief = Pick<AttentionItem, "kind" | "villageId" | "short" | "href">;

/**
 * 需要关注 for the township: grouped by kind, each village in a few words linking to where it is
 * dealt with (or to its report, which lists the items in full), so thirty villages stay a short list.
 */
export function AttentionGroups({ items }: { items: AttentionBrief[] }) {
  const kinds = ATTENTION_ORDER.filter((k) => items.some((x) => x.kind === k));
  return (
    <section className="card attention" data-testid="attention">
      <h2>需要关注 <span className="muted small">{items.length ? `${items.length} 项` : ""}</span></h2>
      {items.length === 0 ? (
        <p className="muted">目前没有需要关注的事项。</p>
      ) : (
        <ul className="entries attention-list">
          {kinds.map((k) => {
            const of = items.filter((x) => x.kind === k);
            return (
              <li key={k} data-kind={k}>
                <div className="what">
                  <span className={`tag attention-${k}`}>{ATTENTION_LABELS[k]}</span> {of.length} {k === "zero_stock" || k === "unsettled" ? "个超市" : "个村"}：
                  {of.map((x, i) => (
                    <Fragment key={i}>
                      {i ? "、" : ""}
                      <a href={x.href ?? `/v/${x.villageId}/report`} className="pad">{x.short}</a>
                    </Fragment>
                  ))}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** 每月发放（按类别）: the chart and its numbers. */
export function IssuedByMonth({ rows, id = "issued" }: { rows: MonthRow[]; id?: string }) {
  return (
    <ChartPair
      id={id}
      title="每月发放积分（按类别）"
      chart={<ColumnChart id={`${id}-chart`} title="每月发放积分，按志愿服务、环境卫生、评选、其他分类叠放" months={monthsOf(rows)} series={ISSUE_SERIES} values={rows.map((r) => ISSUE_GROUPS.map((g) => r.issued[g]))} />}
    >
      <table>
        <thead><tr><th>月份</th>{ISSUE_GROUPS.map((g) => <th key={g}>{ISSUE_LABELS[g]}</th>)}<th>合计</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.month}><td>{shortMonth(r.month, true)}</td>{ISSUE_GROUPS.map((g) => <td key={g}>{r.issued[g]}</td>)}<td>{issuedTotal(r)}</td></tr>
          ))}
        </tbody>
        <tfoot>
          <tr><th>合计</th>{ISSUE_GROUPS.map((g) => <th key={g}>{rows.reduce((n, r) => n + r.issued[g], 0)}</th>)}<th>{rows.reduce((n, r) => n + issuedTotal(r), 0)}</th></tr>
        </tfoot>
      </table>
    </ChartPair>
  );
}

/** 每月扣分、兑换、撤销、过期 and the store settlements. */
export function OutgoingByMonth({ rows, id = "outgoing" }: { rows: MonthRow[]; id?: string }) {
  const sum = (k: "deducted" | "redeemed" | "reversed" | "expired" | "settledFen") => rows.reduce((n, r) => n + r[k], 0);
  return (
    <ChartPair
      id={id}
      title="每月扣分、兑换和结算"
      note="撤销：冲正和作废退回的积分，正数是退回农户，负数是从农户收回。过期：按本村积分有效期清零的积分（撤销过期记在“撤销”里）。"
      chart={<ColumnChart id={`${id}-chart`} title="每月扣分和兑换的积分，叠放" months={monthsOf(rows)} series={OUT_SERIES} values={rows.map((r) => [r.deducted, r.redeemed])} />}
    >
      <table>
        <thead><tr><th>月份</th><th>扣分</th><th>兑换</th><th title="冲正、作废退回：正数退回农户，负数从农户收回">撤销</th><th>过期</th><th>结算（元）</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.month}><td>{shortMonth(r.month, true)}</td><td>{r.deducted}</td><td>{r.redeemed}</td><td>{signed(r.reversed)}</td><td>{r.expired}</td><td>{yuanOf(r.settledFen)}</td></tr>
          ))}
        </tbody>
        <tfoot>
          <tr><th>合计</th><th>{sum("deducted")}</th><th>{sum("redeemed")}</th><th>{signed(sum("reversed"))}</th><th>{sum("expired")}</th><th>{yuanOf(sum("settledFen"))}</th></tr>
        </tfoot>
      </table>
    </ChartPair>
  );
}

/** 月末未兑积分: what the households held at each month's end (what the village owes in goods). */
export function HeldByMonth({ rows, id = "held" }: { rows: MonthRow[]; id?: string }) {
  return (
    <ChartPair
      id={id}
      title="月末未兑积分（村里欠农户的商品）"
      chart={<ColumnChart id={`${id}-chart`} title="每月月末农户手里还没兑换的积分" months={monthsOf(rows)} series={HELD_SERIES} values={rows.map((r) => [r.outstanding])} />}
    >
      <table>
        <thead><tr><th>月份</th><th>净增减</th><th>月末未兑积分</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.month}><td>{shortMonth(r.month, true)}</td><td>{signed(r.net)}</td><td>{r.outstanding}</td></tr>
          ))}
        </tbody>
      </table>
    </ChartPair>
  );
}

export function ParticipationCells({ p }: { p: Participation }) {
  return (
    <>
      <td>{p.households}</td>
      <td>{`${percent(p.earned30, p.households)} · ${p.earned30}`}</td>
      <td>{`${percent(p.earned90, p.households)} · ${p.earned90}`}</td>
    </>
  );
}

/** Participation as bars (share of households, %), one row per village or grid. */
export function ParticipationChart({ id, title, rows }: { id: string; title: string; rows: { name: string; participation: Participation }[] }) {
  const pct = (n: number, d: number) => (d ? Math.round((n * 100) / d) : 0);
  return (
    <BarChart
      id={id}
      title={title}
      labels={rows.map((r) => r.name)}
      series={PARTICIPATION_SERIES}
      values={rows.map((r) => [pct(r.participation.earned30, r.participation.households), pct(r.participation.earned90, r.participation.households)])}
      max={100}
      format={(n) => `${n}%`}
    />
  );
}

/** Sanitation results by tier, as shares per row, with the counts in a table. */
export function TierPair({ id, title, rows, tierNames, label }: { id: string; title: string; rows: { name: string; rounds?: number; tiers: TierCounts }[]; tierNames: string[]; label: string }) {
  const series = tierSeries(tierNames);
  const shown = rows.filter((r) => Object.keys(r.tiers).length > 0 || (r.rounds ?? 0) > 0);
  return (
    <ChartPair
      id={id}
      title={title}
      chart={
        tierNames.length ? (
          <BarChart id={`${id}-chart`} title={`${title}：各等次户数所占比例`} labels={shown.map((r) => r.name)} series={series} values={shown.map((r) => tierNames.map((t) => r.tiers[t] ?? 0))} stacked share />
        ) : (
          <p className="muted">这段时间没有发布的卫生评比。</p>
        )
      }
    >
      {tierNames.length ? (
        <table>
          <thead>
            <tr><th>{label}</th>{rows.some((r) => r.rounds !== undefined) ? <th>发布轮次</th> : null}{tierNames.map((t) => <th key={t}>{t}</th>)}<th>合计</th></tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <td>{r.name}</td>
                {r.rounds !== undefined ? <td>{r.rounds}</td> : null}
                {tierNames.map((t) => <td key={t}>{r.tiers[t] ?? 0}</td>)}
                <td>{tierNames.reduce((n, t) => n + (r.tiers[t] ?? 0), 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </ChartPair>
  );
}

export { signed };

/** The range's points in a table row: issued by group and in all, deducted, redeemed, reversed, expired. */
export function PointCells({ f, th }: { f: PointFigures; th?: boolean }) {
  const C = th ? "th" : "td";
  return (
    <>
      {ISSUE_GROUPS.map((g) => <C key={g}>{f.issued[g]}</C>)}
      <C>{issuedTotal(f)}</C>
      <C>{f.deducted}</C>
      <C>{f.redeemed}</C>
      <C>{signed(f.reversed)}</C>
      <C>{f.expired}</C>
    </>
  );
}

export function Stat({ n, l, testId }: { n: number | string; l: string; testId?: string }) {
  return (
    <div className="stat-box">
      <div className="n" data-testid={testId}>{n}</div>
      <div className="l">{l}</div>
    </div>
  );
}
