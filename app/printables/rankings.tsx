// The 积分排行 as a list on the phone and as an A3 poster for the village notice board.
import { Form } from "@remix-run/react";
import type { RankingRow, RankingScope } from "./rankings.server";

/** What a year's score is, in the villager's words: said under the list and on the poster. */
export function scoreMeaning(year: number): string {
  return `按 ${year} 年累计积分排名（本年得分减去扣分；兑换商品不影响排名），同分同名次。`;
}

/** Year and whole village or grid, as a plain GET form. A villager's grid list holds their own grid only. */
export function RankingChoices({ scope }: { scope: RankingScope }) {
  return (
    <Form method="get" className="rk-choices">
      <div>
        <label htmlFor="rk-year">年份</label>
        <select id="rk-year" name="year" defaultValue={String(scope.year)}>
          {scope.years.map((y) => <option key={y} value={y}>{y} 年</option>)}
        </select>
      </div>
      {scope.grids.length > 0 ? (
        <div>
          <label htmlFor="rk-grid">范围</label>
          <select id="rk-grid" name="grid" defaultValue={scope.grid ? String(scope.grid.id) : ""}>
            <option value="">全村</option>
            {scope.grids.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
          </select>
        </div>
      ) : null}
      <button type="submit" className="secondary">查看</button>
    </Form>
  );
}

/** Place, name, grid and score, one row each; the viewer's own household is marked 我家. */
export function RankingList({ rows, showGrid }: { rows: RankingRow[]; showGrid: boolean }) {
  if (rows.length === 0) return <p className="muted">这里还没有住户</p>;
  return (
    <ol className="rk-list" data-testid="ranking-list">
      {rows.map((r) => (
        <li key={r.householdId} className={r.mine ? "mine" : undefined} data-place={r.place}>
          <span className={`rk-place${r.place <= 3 ? " top" : ""}`}>{r.place}</span>
          <span className="rk-name">
            {r.name}
            {r.mine ? <span className="tag tag-ok">我家</span> : null}
            {showGrid && r.grid ? <span className="rk-grid">{r.grid}</span> : null}
          </span>
          <span className="rk-score">{r.score} 分</span>
        </li>
      ))}
    </ol>
  );
}

/** The poster: title, the places in two columns, what the score means. */
export function RankingPosterView({ scope, rows, more }: { scope: RankingScope; rows: RankingRow[]; more: boolean }) {
  const half = Math.ceil(rows.length / 2);
  const columns = rows.length > 10 ? [rows.slice(0, half), rows.slice(half)] : [rows];
  return (
    <div className={`rk-board${rows.length > 22 ? " dense" : ""}`} data-testid="ranking-poster">
      <h2 className="rk-title">{scope.village}{scope.grid?.name ?? ""}{scope.year}年积分排行榜</h2>
      <p className="rk-facts">{scope.printedOn} 公布 · {scoreMeaning(scope.year)}</p>
      {rows.length === 0 ? (
        <p className="rk-empty">{scope.year} 年还没有住户得分</p>
      ) : (
        <div className={`rk-columns n${columns.length}`}>
          {columns.map((col, i) => (
            <ol key={i} className="rk-poster-list">
              {col.map((r) => (
                <li key={r.householdId} data-place={r.place}>
                  <span className={`rk-place${r.place <= 3 ? " top" : ""}`}>{r.place}</span>
                  <span className="rk-name">
                    {r.name}
                    {!scope.grid && r.grid ? <span className="rk-grid">{r.grid}</span> : null}
                  </span>
                  <span className="rk-score">{r.score} 分</span>
                </li>
              ))}
            </ol>
          ))}
        </div>
      )}
      {more ? <p className="rk-facts">另有与末位同分的住户，限于篇幅未列出。</p> : null}
      <p className="rk-facts rk-foot">对积分有疑问的，可以在手机上的“积分明细”查看每一笔，或找村委会。</p>
    </div>
  );
}
