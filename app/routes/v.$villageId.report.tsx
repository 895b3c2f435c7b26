import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import reportStyles from "~/reports/reports.css";
import { findGrant, idParam, notFound, requireRole } from "~/platform/access.server";
import { readRange } from "~/reports/range.server";
import { villageReport } from "~/reports/reports.server";
import { BarChart, ChartPair } from "~/reports/charts";
import { ISSUE_GROUPS, ISSUE_LABELS, issuedTotal, percent, shortMonth, yuanOf } from "~/reports/labels";
import {
  AttentionList, HeldByMonth, IssuedByMonth, OutgoingByMonth, ParticipationCells, ParticipationChart, PointCells, RangeForm, RangeLine, Stat, TierPair,
} from "~/reports/report-parts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: reportStyles }];

export const meta: MetaFunction = () => [{ title: "村报表 · 积分超市" }];

const VIEW = ["village_admin", "committee", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, VIEW, villageId);
  const q = readRange(new URL(request.url), false);
  if (!q.ok) return data({ ok: false as const, errors: q.errors, values: q.values }, { status: 400 });
  const viewer = access.viewer;
  const report = await villageReport(villageId, q.range, {
    review: !!findGrant(viewer, ["committee"], villageId),
    stock: !!findGrant(viewer, ["village_admin", "township_admin"], villageId),
    settlement: true,
  });
  if (!report) notFound();
  return { ok: true as const, values: q.values, report };
}

export default function VillageReportPage() {
  const d = useLoaderData<typeof loader>();
  if (!d.ok) {
    return (
      <div className="report">
        <h1>村报表</h1>
        <p className="form-error" role="alert">要查看的月份或数字有误，请改正后再点“查看”。</p>
        <RangeForm values={d.values} errors={d.errors} />
      </div>
    );
  }
  const r = d.report;
  const v = r.village;
  const p = v.participation;
  return (
    <div className="report" data-testid="village-report">
      <h1>{v.name} · 村报表</h1>
      <RangeForm values={d.values} />
      <RangeLine range={r.range} asOf={r.asOf} />
      <section className="card">
        <div className="stat-boxes">
          <Stat n={issuedTotal(v.totals)} l="发放积分" testId="total-issued" />
          <Stat n={v.totals.redeemed} l="兑换积分" testId="total-redeemed" />
          <Stat n={v.outstanding} l="未兑积分（现在）" testId="total-outstanding" />
          <Stat n={`${yuanOf(v.totals.settledFen)} 元`} l="超市结算" />
          <Stat n={percent(p.earned30, p.households)} l="近 30 天得分户" />
          <Stat n={percent(p.earned90, p.households)} l="近 90 天得分户" />
          <Stat n={v.waiting.count} l={v.waiting.oldestDays === null ? "待审核申报" : `待审核（最久 ${v.waiting.oldestDays} 天）`} />
          <Stat n={`${v.objections.filed} / ${v.objections.upheld}`} l="异议 提出 / 成立" />
        </div>
      </section>
      <AttentionList items={r.attention} />
      <IssuedByMonth rows={r.rows} />
      <OutgoingByMonth rows={r.rows} />
      <HeldByMonth rows={r.rows} />

      <section className="card">
        <h2>所选月份合计</h2>
        <div className="table-wrap figures">
          <table data-testid="village-points">
            <thead>
              <tr>
                <th>月份</th>{ISSUE_GROUPS.map((g) => <th key={g}>{ISSUE_LABELS[g]}</th>)}<th>发放合计</th>
                <th>扣分</th><th>兑换</th><th>撤销</th><th>过期</th><th>未兑积分</th><th>结算（元）</th>
              </tr>
            </thead>
            <tbody>
              <tr><td>{`${shortMonth(r.range.from, true)}至${shortMonth(r.range.to, true)}`}</td><PointCells f={v.totals} /><td>{v.outstanding}</td><td>{yuanOf(v.totals.settledFen)}</td></tr>
            </tbody>
          </table>
        </div>
      </section>

      <h2 className="section-title">各网格</h2>
      <ChartPair id="grid-participation" title="各网格参与和待审核" chart={<ParticipationChart id="grid-participation-chart" title="各网格近 30 天、近 90 天得过分的农户比例" rows={r.grids} />}>
        <table data-testid="grid-activity">
          <thead><tr><th>网格</th><th>户数</th><th>近30天得分</th><th>近90天得分</th><th>待审核</th></tr></thead>
          <tbody>
            {r.grids.map((g) => (
              <tr key={g.id ?? "none"}>
                <td>{g.name}</td>
                <ParticipationCells p={g.participation} />
                <td>{g.waiting}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ChartPair>
      <ChartPair
        id="grid-points"
        title="各网格积分（所选月份）"
        note="收入：加分和退回的积分；支出：扣分、兑换和收回的积分。户均：除以网格户数，户数不同的网格也能比。"
        chart={
          <BarChart
            id="grid-points-chart"
            title="各网格每户平均得到和用掉的积分"
            labels={r.grids.map((g) => g.name)}
            series={[{ key: "income", label: "户均收入", colour: "#1565c0" }, { key: "spent", label: "户均支出", colour: "#00838f" }]}
            values={r.grids.map((g) => [perHousehold(g.income, g.participation.households), perHousehold(g.spent, g.participation.households)])}
          />
        }
      >
        <table data-testid="grid-points">
          <thead><tr><th>网格</th><th>户数</th><th>收入</th><th>支出</th><th>户均收入</th><th>现有积分</th></tr></thead>
          <tbody>
            {r.grids.map((g) => (
              <tr key={g.id ?? "none"}>
                <td>{g.name}</td>
                <td>{g.participation.households}</td>
                <td>{g.income}</td>
                <td>{g.spent}</td>
                <td>{perHousehold(g.income, g.participation.households)}</td>
                <td>{g.balance}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ChartPair>
      <TierPair id="grid-tiers" title="各网格卫生评比结果" rows={r.grids} tierNames={r.tierNames} label="网格" />
      {r.groups.length ? (
        <section className="card">
          <h2>各联户</h2>
          <p className="muted small">网格下的联户：户数、现有积分，和所选月份的收入、支出。</p>
          <div className="table-wrap figures">
            <table data-testid="group-points">
              <thead><tr><th>网格</th><th>联户</th><th>联户长</th><th>户数</th><th>收入</th><th>支出</th><th>现有积分</th></tr></thead>
              <tbody>
                {r.groups.map((g) => (
                  <tr key={g.id ?? "none"}>
                    <td>{g.grid ?? "—"}</td>
                    <td>{g.name}</td>
                    <td>{g.leader ?? "—"}</td>
                    <td>{g.households}</td>
                    <td>{g.income}</td>
                    <td>{g.spent}</td>
                    <td>{g.balance}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </div>
  );
}

function perHousehold(points: number, households: number): number {
  return households ? Math.round(points / households) : 0;
}
