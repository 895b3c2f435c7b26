import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Pager } from "~/ui/pager";
import { idParam, requireRole } from "~/platform/access.server";
import { actionLabel, changeLines, roleLabel } from "~/audit/labels";
import { formatTime } from "~/platform/format";
import { villageAuditPage } from "~/people/village-admin.server";
import { pageSchema } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "操作记录 · 村务管理 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ["village_admin", "township_admin"], villageId);
  const page = pageSchema.parse(new URL(request.url).searchParams.get("page"));
  return { villageId, ...(await villageAuditPage(villageId, page)) };
}

const TARGET_LABELS: Record<string, string> = {
  household: "住户", member: "成员", user: "账号", grid: "网格", village: "村",
  claim: "申报", objection: "异议", rule: "积分细则", activity: "活动", good: "商品", order: "兑换单", store: "超市",
};

export default function Audit() {
  const { villageId, rows, total, page, pages } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <h2 style={{ marginTop: 0 }}>操作记录</h2>
      <p className="muted small count">工作人员的每次修改都记在这里，不能删改。共 {total} 条。</p>
      {rows.length === 0 ? <p className="muted">还没有记录</p> : null}
      <ul className="audit">
        {rows.map((r) => {
          const lines = changeLines(r.before, r.after, r.target_type);
          return (
            <li key={r.id}>
              <div className="when">
                {formatTime(r.at)} · {r.actor_name ?? "系统"}{" "}
                <span className="tag">{roleLabel(r.actor_role)}</span>
              </div>
              <div className="what">
                {actionLabel(r.action)}
                <span className="muted" style={{ fontWeight: 400 }}>
                  {" "}
                  {TARGET_LABELS[r.target_type] ?? r.target_type}
                  {r.target_label ? `：${r.target_label}` : r.target_id ? ` #${r.target_id}` : ""}
                </span>
              </div>
              {lines.length ? (
                <ul className="changes">
                  {lines.map((l, n) => (
                    <li key={n}>
                      {l.label}：
                      {l.before !== null && l.after !== null ? (
                        <>
                          <span className="old">{l.before}</span> → {l.after}
                        </>
                      ) : l.after !== null ? (
                        l.after
                      ) : (
                        <span className="old">{l.before}</span>
                      )}
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          );
        })}
      </ul>
      <Pager page={page} pages={pages} link={(p) => `/v/${villageId}/admin/audit?page=${p}`} />
    </section>
  );
}
