// The 积分存折 sheet (one household's year, as it prints) and the choices above it (year, paper).
import { Form, Link } from "@remix-run/react";
import { useEffect, useState, type ReactNode } from "react";
import { PAPER_LABELS, PAPER_SIZES, type PaperSize } from "./labels";
import type { PassbookOptions, PassbookSheet } from "./passbook.server";

/** The page around one or more sheets: names the paper, so print picks its named @page. */
export function PassbookPaper({ size, children }: { size: PaperSize; children: ReactNode }) {
  return <div className={`passbook size-${size.toLowerCase()}`} data-size={size}>{children}</div>;
}

/** Year and paper, as a plain GET form (works without scripts); `keep` carries the household or grid chosen. */
export function PassbookChoices({ options, keep = {} }: { options: PassbookOptions; keep?: Record<string, string> }) {
  return (
    <Form method="get" className="pb-choices">
      {Object.entries(keep).map(([name, value]) => <input key={name} type="hidden" name={name} value={value} />)}
      <PassbookYearPaper options={options} />
      <button type="submit" className="secondary">查看</button>
    </Form>
  );
}

/** The year and paper lists, for a form of the page's own. */
export function PassbookYearPaper({ options }: { options: PassbookOptions }) {
  return (
    <div className="pb-year-paper">
      <div>
        <label htmlFor="pb-year">年份</label>
        <select id="pb-year" name="year" defaultValue={String(options.year)}>
          {options.years.map((y) => <option key={y} value={y}>{y} 年</option>)}
        </select>
      </div>
      <div>
        <label htmlFor="pb-size">纸张</label>
        <select id="pb-size" name="size" defaultValue={options.size}>
          {PAPER_SIZES.map((s) => <option key={s} value={s}>{PAPER_LABELS[s]}</option>)}
        </select>
      </div>
    </div>
  );
}

/** How to print: the button needs scripts, so without them only the words show. */
export function PrintHint({ size }: { size: string }) {
  const [scripts, setScripts] = useState(false);
  useEffect(() => setScripts(true), []);
  return (
    <div className="pb-print">
      {scripts ? <button type="button" className="primary" onClick={() => window.print()}>打印</button> : null}
      <p className="muted small">用浏览器菜单里的“打印”，纸张选 {size}，方向选纵向。</p>
    </div>
  );
}

const figure = (n: number) => (n === 0 ? "" : String(n));

/** One household's year: who, then every entry with 收入 / 支出 and the balance after it, then a line to sign. */
export function PassbookSheetView({ sheet, printedOn }: { sheet: PassbookSheet; printedOn: string }) {
  const s = sheet;
  const lastPage = s.page === s.pages;
  return (
    <article className="passbook-sheet" data-testid="passbook-sheet" data-household={s.householdId}>
      <header className="pb-head">
        <h2 className="pb-title">积分存折</h2>
        <p className="pb-sub">{s.township}{s.village} · {s.year} 年度</p>
        <dl className="pb-facts">
          <dt>户号</dt>
          <dd>{s.number}</dd>
          <dt>户主</dt>
          <dd>{s.head ?? "—"}</dd>
          <dt>网格</dt>
          <dd>{s.grid ?? "未分网格"}</dd>
          <dt>地址</dt>
          <dd>{s.address || "—"}</dd>
        </dl>
      </header>
      <table className="pb-table">
        <thead>
          <tr>
            <th scope="col" className="day">日期</th>
            <th scope="col">摘要</th>
            <th scope="col" className="num delta">收支</th>
            <th scope="col" className="num in">收入</th>
            <th scope="col" className="num out">支出</th>
            <th scope="col" className="num">余额</th>
          </tr>
        </thead>
        <tbody>
          <tr className="pb-carry">
            <td className="day">{s.page === 1 ? "01-01" : ""}</td>
            <td>{s.page === 1 ? `上年结转（${s.year - 1} 年末余额）` : "承前页"}</td>
            <td className="num delta" />
            <td className="num in" />
            <td className="num out" />
            <td className="num">{s.carried}</td>
          </tr>
          {s.lines.map((l) => (
            <tr key={l.id}>
              <td className="day">{l.day}</td>
              <td className="memo">
                {l.memo}
                {l.reversed ? "（已冲正）" : null}
                {l.member ? <span className="pb-who"> · {l.member}</span> : null}
              </td>
              <td className={`num delta ${l.amount > 0 ? "plus" : "minus"}`}>{l.amount > 0 ? `+${l.amount}` : l.amount}</td>
              <td className="num in">{figure(Math.max(l.amount, 0))}</td>
              <td className="num out">{figure(Math.max(-l.amount, 0))}</td>
              <td className="num">{l.balance}</td>
            </tr>
          ))}
          {s.entries === 0 ? (
            <tr>
              <td colSpan={6} className="pb-none">{s.year} 年没有积分记录</td>
            </tr>
          ) : null}
          {lastPage ? (
            <tr className="pb-total">
              <td colSpan={2}>{s.year} 年合计（{s.entries} 笔）</td>
              <td className="num delta">{s.income - s.spent > 0 ? `+${s.income - s.spent}` : s.income - s.spent}</td>
              <td className="num in">{s.income}</td>
              <td className="num out">{s.spent}</td>
              <td className="num">{s.closing}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {s.pages > 1 ? <p className="pb-page">第 {s.page} / {s.pages} 页（全年 {s.entries} 笔）</p> : null}
      <footer className="pb-sign">
        <span>户主签字：<span className="pb-blank" /></span>
        <span>村委会（盖章）：<span className="pb-blank" /></span>
        <span>打印日期：{printedOn}</span>
      </footer>
    </article>
  );
}

/** Previous / next page of a long year or a big grid, kept off the paper. */
export function PassbookPager({ page, pages, link, unit }: { page: number; pages: number; link: (page: number) => string; unit: string }) {
  if (pages <= 1) return null;
  return (
    <nav className="pager no-print" aria-label="翻页">
      {page > 1 ? <Link to={link(page - 1)}>‹ 上一{unit}</Link> : <span />}
      <span className="muted">第 {page} / {pages} {unit}</span>
      {page < pages ? <Link to={link(page + 1)}>下一{unit} ›</Link> : <span />}
    </nav>
  );
}
