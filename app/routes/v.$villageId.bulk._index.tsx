import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/bulk/bulk.css";
import { listBatches } from "~/bulk/bulk.server";
import { BATCH_STATUS_LABELS } from "~/bulk/labels";
import { idParam, requireRole } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { pageSchema } from "~/platform/validation.server";
import { Pager } from "~/ui/pager";

export const meta: MetaFunction = () => [{ title: "批量发放 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ["committee"], villageId);
  const page = pageSchema.parse(new URL(request.url).searchParams.get("page"));
  return { villageId, ...(await listBatches(villageId, page)) };
}

export default function BulkBatches() {
  const { villageId, rows, page, pages } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <div className="bulk-head">
        <h1>批量发放</h1>
        <Link className="button" to={`/v/${villageId}/bulk/new`}>新建批量发放</Link>
      </div>
      <p className="muted small elder-hide">给全村、一个网格或一份名单上的每一户登记同一条加分，例如每月基础分、全村大扫除。每户一条申报，照常审核、公示、入账。</p>
      {rows.length === 0 ? <p className="muted">还没有批量发放。点“新建批量发放”开始。</p> : null}
      <ul className="bulk-list">
        {rows.map((b) => (
          <li key={b.id}>
            <Link to={`/v/${villageId}/bulk/${b.id}`} data-testid={`bulk-batch-${b.id}`}>
              <span className="main">
                <span className="title">{b.rule} <span className={`tag ${b.status === "done" ? "tag-ok" : "tag-warn"}`}>{BATCH_STATUS_LABELS[b.status]}</span></span>
                <span className="muted small">
                  {b.chosen} · {b.filed} 户 × {b.points} 分{b.skipped ? ` · 跳过 ${b.skipped} 户` : ""}
                </span>
                <span className="muted small">{b.filer} · {formatTime(b.created_at).slice(0, 16)}</span>
              </span>
              <span className="go">查看 ›</span>
            </Link>
          </li>
        ))}
      </ul>
      <Pager page={page} pages={pages} link={(p) => `?page=${p}`} />
    </section>
  );
}
