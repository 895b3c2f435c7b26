import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Pager } from "~/ui/pager";
import { EntryList } from "~/ledger/entries";
import { requireHousehold } from "~/platform/access.server";
import { formatMonth } from "~/platform/format";
import { statementPage, statementQuerySchema } from "~/ledger/statement.server";
import appealStyles from "~/appeals/appeals.css";

export const meta: MetaFunction = () => [{ title: "积分明细 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: appealStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireHousehold(request);
  const url = new URL(request.url);
  const q = statementQuerySchema.parse({ month: url.searchParams.get("month"), page: url.searchParams.get("page") });
  return { month: q.month, ...await statementPage(viewer.householdId, q.month, q.page) };
}

export default function Statement() {
  const s = useLoaderData<typeof loader>();
  const link = (page: number) => `/statement?${new URLSearchParams({ ...(s.month ? { month: s.month } : {}), page: String(page) })}`;
  return (
    <section className="card">
      <h1>积分明细</h1>
      <Form method="get" className="filters">
        <div>
          <label htmlFor="month">月份</label>
          <select id="month" name="month" defaultValue={s.month ?? ""}>
            <option value="">全部月份</option>
            {s.months.map((m) => (
              <option key={m} value={m}>{formatMonth(m)}</option>
            ))}
          </select>
        </div>
        <button type="submit" className="secondary">查看</button>
      </Form>
      <p className="muted small">
        {s.month ? formatMonth(s.month) : "全部"}：共 {s.total} 条，<span className="nowrap">
          收入 <span className={s.totals.income > 0 ? "amount plus" : "amount"}>{s.totals.income > 0 ? `+${s.totals.income}` : 0}</span>
        </span>
        ，
        <span className="nowrap">
          支出 <span className={s.totals.spent > 0 ? "amount minus" : "amount"}>{s.totals.spent > 0 ? `-${s.totals.spent}` : 0}</span>
        </span>
      </p>
      <EntryList entries={s.rows} appealLinks />
      <Pager page={s.page} pages={s.pages} link={link} />
      <p><a href="/appeals">我的申诉（对奖励或扣分有不同意见，入账后可以申诉）</a></p>
      <p><a href="/passbook">打印积分存折（一年的记录和余额，给没有手机的家人）</a></p>
    </section>
  );
}
