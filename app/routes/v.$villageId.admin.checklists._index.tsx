import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/sanitation/sanitation.css";
import { Tag } from "~/ui/form-parts";
import { idParam } from "~/platform/access.server";
import { checklistsPage } from "~/sanitation/pages.server";
import { tierRange } from "~/sanitation/labels";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "卫生检查表 · 村务管理 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return checklistsPage(request, idParam(params.villageId));
}

export default function Checklists() {
  const { villageId, checklists, rules } = useLoaderData<typeof loader>();
  const ruleName = new Map(rules.map((r) => [r.id, `${r.name} ${r.points > 0 ? "+" : ""}${r.points}`]));
  return (
    <section className="card">
      <div className="toolbar">
        <h2>卫生检查表</h2>
        <Link to={`/v/${villageId}/admin/checklists/new`} className="button">＋ 新建检查表</Link>
      </div>
      <p className="muted small">村委新建卫生评比时选一张检查表。检查员按表上的项目逐项打分，总分落在哪个档次，就按那一档对应的细则加分或扣分。</p>
      {checklists.length === 0 ? <p className="muted">还没有检查表</p> : null}
      <ul className="list">
        {checklists.map((c) => (
          <li key={c.id}>
            <Link to={`/v/${villageId}/admin/checklists/${c.id}`} className="item">
              <span className="main">
                <span className="title">{c.name} {c.active ? null : <Tag tone="off">已停用</Tag>}</span>
                <span className="sub">{c.items.map((i) => `${i.name} ${i.max}`).join(" · ")}</span>
                <span className="sub">{c.tiers.map((t, i) => `${tierRange(c.tiers, i)}${t.ruleId ? `（${ruleName.get(t.ruleId) ?? "细则已停用"}）` : ""}`).join("，")}</span>
              </span>
              <span className="go">修改 ›</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
