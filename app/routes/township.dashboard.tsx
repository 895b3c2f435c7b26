import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import reportStyles from "~/reports/reports.css";
import { requireRole } from "~/platform/access.server";
import { readRange } from "~/reports/range.server";
import { recentTownshipDashboard } from "~/reports/reports.server";
import { BarChart, ChartPair } from "~/reports/charts";
import {
  ISSUE_GROUPS, ISSUE_LABELS, MATRIX_FIGURES, MATRIX_LABELS, issuedTotal, percent, shortMonth, yuanOf, type MatrixFigure,
} from "~/reports/labels";
import {
  AttentionGroups, HeldByMonth, IssuedByMonth, OutgoingByMonth, ParticipationCells, ParticipationChart, PointCells, RangeForm, RangeLine, Stat, TierPair, signed,
} from "~/reports/report-parts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: reportStyles }];

export const meta: MetaFunction = () => [{ title: "乡镇看板 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ["township_admin"], null);
  const q = readRange(new URL(request.url));
  if (!q.ok) return data({ ok: false as const, errors: q.errors, values: q.values }, { status: 400 });
  // The township admin may open every village's stock and settlement pages, not the committee's review queue.
  const { attention, ...report } = await recentTownshipDashboard(q.range, q.figure, { review: false, stock: true, settlement: true });
  // The grouped list shows a few words per item: the page carries only those.
  return { ok: true as const, values: q.values, report: { ...report, attention: attention.map(({ kind, villageId, short, href }) => ({ kind, villageId, short, href })) } };
}

export default function TownshipDashboard() {
  const d = useLoaderData<typeof loader>();
  if (!d.ok) {
    return (
      <div className="report">
        <h1>乡镇看板</h1>
        <p className="form-error" role="alert">要查看的月份或数字有误，请改正后再点“查看”。</p>
        <RangeForm values={d.values} errors={d.errors} figure={d.errors.figure ? "issued" : undefined} />
      </div>
    );
  }
  const r = d.report;
  const range = `from=${r.range.from}&to=${r.range.to}`;
  const t = r.totals;
  const households = r.villages.reduce((n, v) => n + v.participation.households, 0);
  const earned30 = r.villages.reduce((n, v) => n + v.participation.earned30, 0);
  const waiting = r.villages.reduce((n, v) => n + v.waiting.count, 0);
  const outstanding = r.villages.reduce((n, v) => n + v.outstanding, 0);
  return (
    <div className="report" data-testid="township-dashboard">
      <p className="row no-print back"><Link to="/township">‹ 乡镇管理</Link></p>
      <h1>乡镇看板</h1>
      <RangeForm values={d.values} keep={r.figure ? { figure: r.figure } : undefined} />
      <RangeLine range={r.range} asOf={r.asOf} every="每半分钟更新" />
      <section className="card">
        <div className="stat-boxes">
          <Stat n={issuedTotal(t)} l="发放积分" testId="total-issued" />
          <Stat n={t.redeemed} l="兑换积分" testId="total-redeemed" />
          <Stat n={outstanding} l="未兑积分（现在）" testId="total-outstanding" />
          <Stat n={`${yuanOf(t.settledFen)} 元`} l="超市结算" />
          <Stat n={percent(earned30, households)} l="近 30 天得分户" />
          <Stat n={waiting} l="待审核申报" />
        </div>
      </section>
      <AttentionGroups items={r.attention} />
      <IssuedByMonth rows={r.rows} />
      <OutgoingByMonth rows={r.rows} />
      <HeldByMonth rows={r.rows} />

      <ChartPair
        id="villages"
        title="各村积分（所选月份合计）"
        wide
        chart={
          <BarChart
            id="villages-chart"
            title="各村发放和兑换的积分"
            labels={r.villages.map((v) => v.name)}
            series={[{ key: "issued", label: "发放", colour: "#1565c0" }, { key: "redeemed", label: "兑换", colour: "#00838f" }]}
            values={r.villages.map((v) => [issuedTotal(v.totals), v.totals.redeemed])}
          />
        }
      >
        <table data-testid="village-points">
          <thead>
            <tr>
              <th>村</th>{ISSUE_GROUPS.map((g) => <th key={g}>{ISSUE_LABELS[g]}</th>)}<th>发放合计</th>
              <th>扣分</th><th>兑换</th><th>撤销</th><th>过期</th><th>未兑积分</th><th>结算（元）</th>
            </tr>
          </thead>
          <tbody>
            {r.villages.map((v) => (
              <tr key={v.id}>
                <td><a href={`/v/${v.id}/report?${range}`}>{v.name}</a></td>
                <PointCells f={v.totals} />
                <td>{v.outstanding}</td>
                <td>{yuanOf(v.totals.settledFen)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr><th>全镇</th><PointCells f={t} th /><th>{outstanding}</th><th>{yuanOf(t.settledFen)}</th></tr>
          </tfoot>
        </table>
      </ChartPair>

      <ChartPair
        id="participation"
        title="参与和审核"
        note="得分户：最近 30 天、90 天里至少得过一次加分的农户，占全村户数的比例 · 户数。异议按提出的日子计入所选月份。"
        chart={<ParticipationChart id="participation-chart" title="各村近 30 天、近 90 天得过分的农户比例" rows={r.villages} />}>
        <table data-testid="village-activity">
          <thead>
            <tr><th>村</th><th>户数</th><th>近30天得分</th><th>近90天得分</th><th>待审核</th><th>最久等待</th><th>异议</th><th>异议成立</th></tr>
          </thead>
          <tbody>
            {r.villages.map((v) => (
              <tr key={v.id}>
                <td>{v.name}</td>
                <ParticipationCells p={v.participation} />
                <td>{v.waiting.count}</td>
                <td>{v.waiting.oldestDays === null ? "—" : `${v.waiting.oldestDays} 天`}</td>
                <td>{v.objections.filed}</td>
                <td>{v.objections.upheld}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ChartPair>

      <TierPair id="tiers" title="卫生评比结果（所选月份发布的轮次）" rows={r.villages} tierNames={r.tierNames} label="村" />

      <section className={r.figure ? "card" : "card no-print"} id="matrix">
        <h2>各村逐月对比{r.figure ? `：${MATRIX_LABELS[r.figure]}` : ""}</h2>
        {/* A plain form: the answer opens at this table (#matrix), with or without scripts. */}
        <form method="get" className="filters no-print" action="/township/dashboard#matrix">
          <input type="hidden" name="from" value={r.range.from} />
          <input type="hidden" name="to" value={r.range.to} />
          <div>
            <label htmlFor="figure">比较哪个数字</label>
            <select id="figure" name="figure" defaultValue={r.figure ?? "issued"}>
              {MATRIX_FIGURES.map((f) => <option key={f} value={f}>{MATRIX_LABELS[f]}</option>)}
            </select>
          </div>
          <button type="submit" className="secondary">{r.figure ? "换一个" : "逐月对比"}</button>
        </form>
        {r.figure && r.matrix ? <Matrix figure={r.figure} months={r.months} rows={r.matrix} /> : <p className="muted">选一个数字，列出每个村每个月的数。</p>}
      </section>
    </div>
  );
}

function Matrix({ figure, months, rows }: { figure: MatrixFigure; months: string[]; rows: { id: number; name: string; values: number[] }[] }) {
  // What households hold at a month's end does not add up over months: no 合计 column for it.
  const total = figure !== "outstanding";
  return (
    <div className="table-wrap figures">
      <table data-testid="matrix">
        <thead>
          <tr><th>村</th>{months.map((m, i) => <th key={m}>{shortMonth(m, i === 0)}</th>)}{total ? <th>合计</th> : null}</tr>
        </thead>
        <tbody>
          {rows.map((v) => (
            <tr key={v.id}>
              <td>{v.name}</td>
              {v.values.map((n, i) => <td key={i}>{show(figure, n)}</td>)}
              {total ? <td>{show(figure, v.values.reduce((a, b) => a + b, 0))}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function show(figure: MatrixFigure, n: number): string {
  return figure === "settled" ? yuanOf(n) : figure === "reversed" || figure === "net" ? signed(n) : String(n);
}
