import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Pager } from "~/ui/pager";
import { idParam, requireRole } from "~/platform/access.server";
import { TEXT_LIMITS } from "~/people/limits";
import { householdList, searchTerm } from "~/people/household-admin.server";
import { pageSchema } from "~/platform/validation.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ["village_admin", "township_admin"], villageId);
  const url = new URL(request.url);
  const q = searchTerm(url.searchParams.get("q"));
  const page = pageSchema.parse(url.searchParams.get("page"));
  return { villageId, q, ...(await householdList(villageId, q, page)) };
}

export default function Households() {
  const { villageId, q, rows, total, page, pages } = useLoaderData<typeof loader>();
  const base = `/v/${villageId}/admin`;
  const link = (p: number) => `${base}?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) })}`;
  return (
    <section className="card">
      <div className="toolbar">
        <h2>住户</h2>
        <Link to={`${base}/households/new`} className="button">＋ 新增住户</Link>
      </div>
      <p className="row"><Link to={`/v/${villageId}/exports`} data-testid="exports-link">导出 Excel 表格（流水、住户、申报、兑换、结算）›</Link></p>
      <Form method="get" className="search" role="search">
        <label htmlFor="q" className="sr-only">搜索住户</label>
        <input id="q" name="q" type="search" defaultValue={q} placeholder="户号 姓名 手机 地址" maxLength={TEXT_LIMITS.search} />
        <button type="submit" className="secondary">搜索</button>
      </Form>
      <p className="muted small count">
        {q ? `“${q}”：` : ""}共 {total} 户{q ? <> · <Link to={base}>清除搜索</Link></> : null}
      </p>
      {rows.length === 0 ? (
        <p className="muted">{q ? "没有找到符合的住户" : "还没有住户。可以新增住户，或导入花名册。"}</p>
      ) : (
        <ul className="list">
          {rows.map((h) => (
            <li key={h.id}>
              <Link to={`${base}/households/${h.id}`} className="item">
                <span className="main">
                  <span className="title">{h.number}号户 {h.head_name ?? <span className="muted">（无户主）</span>}</span>
                  <span className="sub">
                    <span className="seg">{h.grid_name ?? "未分网格"} · {h.members} 人</span>
                    {h.address ? <> · <span className="seg">{h.address}</span></> : null}
                  </span>
                </span>
                <span className="go">管理 ›</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      <Pager page={page} pages={pages} link={link} />
    </section>
  );
}
