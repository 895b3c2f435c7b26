import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import styles from "~/notifications/inbox.css";
import { committeeCounts, inboxIntent, inboxPage, markAllRead, openNotice, unreadCount } from "~/notifications/inbox.server";
import { requireViewer } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { fieldErrors, formToObject, pageSchema, readForm } from "~/platform/validation.server";
import { FormError, FormOk } from "~/ui/field";
import { Pager } from "~/ui/pager";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "消息 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const page = pageSchema.parse(new URL(request.url).searchParams.get("page"));
  const [inbox, unread, live] = await Promise.all([inboxPage(viewer.userId, page), unreadCount(viewer.userId), committeeCounts(viewer)]);
  return { ...inbox, unread, live };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const parsed = inboxIntent.safeParse(formToObject(await readForm(request)));
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    return data({ ok: null, error: errors.id ?? errors.intent ?? errors._form ?? "请求有误，请刷新页面后再试" }, { status: 400 });
  }
  if (parsed.data.intent === "read-all") {
    const n = await markAllRead(viewer.userId);
    return { ok: n > 0 ? `已把 ${n} 条消息标为已读` : "没有未读的消息", error: null };
  }
  const out = await openNotice(viewer.userId, parsed.data.id);
  if (!out.ok) return data({ ok: null, error: out.error }, { status: out.status });
  return redirect(out.to);
}

const LIVE_WORDS = { claims: ["审核申报", "条申报等待审核"], objections: ["处理异议", "条异议等待处理"] } as const;

export default function Messages() {
  const { rows, page, pages, total, unread, live } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card inbox">
      <div className="inbox-head">
        <h1>消息</h1>
        {unread > 0 ? (
          <Form method="post">
            <button type="submit" name="intent" value="read-all" className="secondary">
              全部标为已读
            </button>
          </Form>
        ) : null}
      </div>
      <FormOk message={result?.ok} />
      <FormError message={result?.error} />
      {live.length ? (
        <ul className="live-counts" aria-label="等你处理">
          {live.map((l) => (
            <li key={`${l.villageId}-${l.kind}`}>
              <Link to={l.to} className={l.n > 0 ? "live waiting" : "live"} data-testid={`live-${l.kind}`}>
                <span className="live-label">{l.village ? `${l.village} · ` : ""}{LIVE_WORDS[l.kind][0]}</span>
                <span className="live-n">
                  <strong>{l.n}</strong>{` ${LIVE_WORDS[l.kind][1]}`}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {total === 0 ? <p className="muted">还没有消息。申报审核、兑换、活动有变化时，会在这里告诉你。</p> : null}
      <ul className="notices">
        {rows.map((r) => (
          <li key={r.id}>
            <Form method="post">
              <input type="hidden" name="id" value={r.id} />
              <button type="submit" name="intent" value="open" className={r.read ? "notice" : "notice unread"} data-testid={`notice-${r.id}`}>
                <span className="notice-title">
                  {r.read ? null : <span className="dot" aria-hidden="true" />}
                  {r.read ? null : <span className="sr-only">未读：</span>}
                  {r.title}
                </span>
                {r.body ? <span className="notice-body">{r.body}</span> : null}
                <span className="notice-when">{formatTime(r.created_at)}</span>
              </button>
            </Form>
          </li>
        ))}
      </ul>
      <Pager page={page} pages={pages} link={(p) => `/messages?page=${p}`} />
    </section>
  );
}
