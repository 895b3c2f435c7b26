import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, Links, Meta, Outlet, Scripts, ScrollRestoration, isRouteErrorResponse, useLocation, useRouteError, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import styles from "~/ui/styles.css";
import badgeStyles from "~/notifications/badge.css";
import { unreadCount } from "~/notifications/inbox.server";
import { getViewer } from "~/platform/access.server";
import { elderMode } from "~/platform/elder.server";
import { ElderToggle } from "~/ui/elder-toggle";
import { StaleFieldErrors } from "~/ui/field";
import { HydratedMark } from "~/ui/hydrated";
import { ROLE_LABELS } from "~/platform/roles";
import { useNonce } from "~/platform/nonce";
import { currentEntry, menuFor } from "~/platform/nav";
import { shellShouldRevalidate } from "~/platform/revalidate";
import { UNREAD_CAP } from "~/notifications/limits";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "stylesheet", href: badgeStyles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "积分超市" }];

export const shouldRevalidate = shellShouldRevalidate;

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await getViewer(request);
  const elder = elderMode(request, viewer);
  if (!viewer) return { viewer: null, elder };
  return {
    elder,
    viewer: {
      name: viewer.displayName,
      roles: [...new Set(viewer.roles.map((r) => ROLE_LABELS[r.role]))],
      nav: viewer.mustChangePassword ? [] : menuFor(viewer.roles, viewer.householdId !== null, { leadsGroup: viewer.leadsGroup }),
      // 消息's badge: one indexed count per page (null: no inbox before the first password change).
      unread: viewer.mustChangePassword ? null : await unreadCount(viewer.userId),
    },
  };
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  const viewer = data?.viewer;
  const current = currentEntry(viewer?.nav ?? [], useLocation().pathname);
  return (
    <html lang="zh-CN" data-elder={data?.elder ? "1" : undefined}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#b71c1c" />
        <Meta />
        <Links />
      </head>
      <body>
        <header className="topbar">
          <Link to="/" className="brand">积分超市</Link>
          <div className="tools">
            {viewer && viewer.unread !== null ? <InboxLink unread={viewer.unread} /> : null}
            <ElderToggle on={!!data?.elder} />
            {viewer ? (
              <Form method="post" action="/logout" className="signout">
                <span className="who">{viewer.name}</span>
                <button type="submit" className="link-button">退出</button>
              </Form>
            ) : null}
          </div>
        </header>
        {viewer && viewer.nav.length > 1 ? (
          <nav className="mainnav" aria-label="主菜单">
            {viewer.nav.map((n) => (
              <Link key={n.to} to={n.to} aria-current={n.to === current ? "page" : undefined}>{n.label}</Link>
            ))}
          </nav>
        ) : null}
        <main className="page">{children}</main>
        <StaleFieldErrors />
        <HydratedMark />
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

/** 消息 in the header, with the unread count; screen readers hear "消息，3 条未读". */
function InboxLink({ unread }: { unread: number }) {
  const shown = unread > UNREAD_CAP ? `${UNREAD_CAP}+` : String(unread);
  return (
    <Link to="/messages" className="inbox-link" data-testid="inbox-link">
      消息
      {unread > 0 ? (
        <span className="badge" data-testid="unread-badge">
          <span aria-hidden="true">{shown}</span>
          <span className="sr-only">{`，${shown} 条未读`}</span>
        </span>
      ) : null}
    </Link>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    // Our own 4xx responses carry a Chinese sentence; the framework's (e.g. 405) are English and internal.
    const ours = typeof error.data === "string" && /[\u4e00-\u9fff]/.test(error.data) && error.status < 500 ? error.data : null;
    const title = error.status === 403 ? "没有权限" : error.status === 404 ? "找不到这个页面" : error.status < 500 ? "请求有误" : "出错了";
    const fallback =
      error.status === 403 ? "你没有权限查看这个页面" : error.status === 404 ? "这个页面不存在，可能地址输错了" : error.status < 500 ? "这个操作无法完成，请回到页面重新操作" : "请稍后再试";
    return <ErrorPage code={error.status} title={title} text={ours ?? fallback} />;
  }
  return <ErrorPage code={500} title="出错了" text="系统暂时出了点问题，请稍后再试。如果一直这样，请联系村管理员。" />;
}

function ErrorPage({ code, title, text }: { code: number; title: string; text: string }) {
  return (
    <section className="card narrow error-page">
      <p className="muted">错误 {code}</p>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <Link to="/" className="button">回到首页</Link>
      </p>
    </section>
  );
}
