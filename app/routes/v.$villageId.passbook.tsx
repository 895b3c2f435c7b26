// 积分存折 printed by the village (admin, committee; the township admin too): one household, or a
// whole grid with one household per sheet. Without a choice: the page to choose.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import styles from "~/printables/passbook.css";
import { GRID_BATCH } from "~/printables/labels";
import { PassbookChoices, PassbookPager, PassbookPaper, PassbookSheetView, PassbookYearPaper, PrintHint } from "~/printables/passbook";
import { villagePassbook, type VillagePassbook } from "~/printables/passbook.server";
import { idParam } from "~/platform/access.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => {
  const d = data as VillagePassbook | undefined;
  const what = d?.kind === "household" ? `${d.sheet.number}号户` : d?.kind === "grid" ? d.grid.name : "";
  return [{ title: `${d?.village ?? ""}${what}积分存折 · 积分超市` }];
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { status, body } = await villagePassbook(request, idParam(params.villageId));
  return data(body, { status });
}

export default function VillagePassbookPage() {
  const d = useLoaderData<typeof loader>() as VillagePassbook;
  const base = `/v/${d.villageId}/passbook`;
  const query = (more: Record<string, string>) => `${base}?${new URLSearchParams({ year: String(d.options.year), size: d.options.size, ...more })}`;
  if (d.kind === "pick") {
    // One plain GET form: year and paper apply to whichever button is pressed.
    return (
      <section className="card">
        <h1>打印积分存折</h1>
        <p className="muted small">一户一张，每一笔积分后面是当时的余额，给没有手机的村民。可以打印一户，也可以一次打印整个网格（每户一页）。</p>
        <Form method="get">
          <PassbookYearPaper options={d.options} />
          <h2>打印一户</h2>
          <div className="pb-number">
            <div>
              <label htmlFor="pb-number">户号</label>
              <input
                id="pb-number" name="number" defaultValue={d.number} maxLength={20} autoComplete="off"
                aria-invalid={d.numberError ? true : undefined} aria-describedby={d.numberError ? "pb-number-err" : undefined}
              />
            </div>
            <button type="submit" name="by" value="number" className="primary">打印这一户</button>
          </div>
          {d.numberError ? <p className="field-error" id="pb-number-err">{d.numberError}</p> : null}
          <h2>打印整个网格</h2>
          {d.grids.length === 0 ? (
            <p className="muted">本村还没有住户</p>
          ) : (
            <div className="pb-number">
              <div>
                <label htmlFor="pb-grid">网格</label>
                <select id="pb-grid" name="grid">
                  {d.grids.map((g) => <option key={g.id} value={g.id}>{g.name}（{g.households} 户）</option>)}
                </select>
              </div>
              <button type="submit" name="by" value="grid" className="primary">打印整个网格</button>
            </div>
          )}
        </Form>
        <p className="pb-links">
          <Link to={`/v/${d.villageId}/rankings`}>积分排行 ›</Link>
        </p>
      </section>
    );
  }
  const keep: Record<string, string> = d.kind === "household" ? { household: String(d.sheet.householdId) } : { grid: String(d.grid.id) };
  return (
    <PassbookPaper size={d.options.size}>
      <section className="card no-print">
        <p className="muted small"><Link to={query({})}>‹ 选择住户或网格</Link></p>
        <h1>{d.kind === "household" ? `${d.sheet.number}号户积分存折` : `${d.grid.name}积分存折`}</h1>
        {d.kind === "grid" ? (
          <p className="muted small">
            {d.grid.name}共 {d.grid.households} 户，每户一页{d.batches > 1 ? `；每次打印 ${GRID_BATCH} 户，这是第 ${d.batch} / ${d.batches} 批` : ""}。
          </p>
        ) : null}
        <PassbookChoices options={d.options} keep={keep} />
        <PrintHint size={d.options.size} />
      </section>
      {d.kind === "household" ? (
        <>
          <PassbookSheetView sheet={d.sheet} printedOn={d.options.printedOn} />
          <PassbookPager page={d.sheet.page} pages={d.sheet.pages} link={(p) => query({ ...keep, page: String(p) })} unit="页" />
        </>
      ) : (
        <>
          {d.sheets.map((s) => <PassbookSheetView key={s.householdId} sheet={s} printedOn={d.options.printedOn} />)}
          <PassbookPager page={d.batch} pages={d.batches} link={(p) => query({ ...keep, page: String(p) })} unit="批" />
        </>
      )}
    </PassbookPaper>
  );
}
