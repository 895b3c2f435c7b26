import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import homeStyles from "~/ui/home.css";
import expiryStyles from "~/expiry/expiry.css";
import { ExpiryNoticeBox } from "~/expiry/expiry-notice";
import flagStyles from "~/flags/flags.css";
import { FlagBanner } from "~/flags/flag-parts";
import { householdFlags } from "~/flags/flags.server";
import { expiryNotice } from "~/expiry/expiry.server";
import { WorkTiles } from "~/ui/work-tiles";
import { EntryList } from "~/ledger/entries";
import { requireViewer } from "~/platform/access.server";
import { navFor } from "~/platform/nav";
import { ROLE_LABELS } from "~/platform/roles";
import { workTiles } from "~/platform/work-tiles.server";
import { campaignsToJoin } from "~/campaigns/views.server";
import { householdHome } from "~/ledger/statement.server";
import { pinLockNotice } from "~/store/storefront.server";
import { formatTime } from "~/platform/format";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: homeStyles }, { rel: "stylesheet", href: expiryStyles }, { rel: "stylesheet", href: flagStyles }];

// The tab names the page for whom it is: a household's points, a keeper's counter, staff's work.
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "首页"} · 积分超市` }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const items = navFor(viewer.roles, false).filter((n) => n.to !== "/password");
  // The jobs, each with what waits behind it; staff without a household also get the notice board,
  // after the jobs (a household has it in the menu, and it is not a job).
  const tiles = await workTiles(items.filter((n) => n.work), viewer.userId);
  const board = viewer.householdId === null ? items.filter((n) => !n.work).map((n) => ({ to: n.to, label: n.label })) : [];
  const changed = new URL(request.url).searchParams.get("changed") === "1";
  const roles = [...new Set(viewer.roles.map((r) => ROLE_LABELS[r.role]))];
  const title = viewer.householdId !== null ? "我的积分" : tiles.some((t) => t.counter) ? "柜台" : "工作";
  if (viewer.householdId === null) return { home: null, tiles, board, changed, roles, title };
  const join = viewer.homeVillageId === null ? [] : await campaignsToJoin(viewer.homeVillageId);
  return { home: await householdHome(viewer.householdId), tiles, board, changed, roles, title, pinLock: await pinLockNotice(viewer.householdId), join, expiry: await expiryNotice(viewer.householdId), flags: await householdFlags(viewer.householdId) };
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const { home, tiles, board, changed, roles, title } = data;
  const pinLock = "pinLock" in data ? data.pinLock : null;
  const join = ("join" in data ? data.join : null) ?? [];
  const expiry = ("expiry" in data ? data.expiry : null) ?? null;
  const flags = ("flags" in data ? data.flags : null) ?? [];
  return (
    <>
      {changed ? <p className="form-ok">密码已修改</p> : null}
      {pinLock ? (
        <p className="form-error" data-testid="pin-lock">
          有人在超市柜台连续 5 次输错了本户的兑换密码，柜台兑换已锁定到 {formatTime(pinLock.until).slice(11)}。不是家里人输的话，请<Link to="/household/pin">修改兑换密码</Link>。
        </p>
      ) : null}
      {home ? <HouseholdHome home={home} join={join} expiry={expiry} flags={flags} /> : null}
      {tiles.length ? (
        <section>
          {home ? <h2>工作</h2> : <h1>{title}</h1>}
          <WorkTiles tiles={tiles} />
        </section>
      ) : null}
      {board.length ? (
        <section className="home-board">
          {tiles.length ? null : <h1>{title}</h1>}
          <div className="work-tiles">
            {board.map((l) => (
              <Link key={l.to} to={l.to} className="tile"><span className="name">{l.label}</span></Link>
            ))}
          </div>
        </section>
      ) : null}
      {!home && !tiles.length && !board.length && roles.length ? (
        <p className="card">
          你的角色：{roles.join("、")}。这个角色目前没有要处理的工作；如果觉得不对，请联系村管理员。
        </p>
      ) : null}
      {!home && !tiles.length && !board.length && !roles.length ? <p className="card">你的账号还没有关联农户，也没有分配工作角色，请联系村管理员。</p> : null}
    </>
  );
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

function HouseholdHome({ home, join, expiry, flags }: { home: NonNullable<Loaded["home"]>; join: { id: number; title: string; action: string; until: number }[]; expiry: { amount: number; lastDay: string } | null; flags: { id: number; villageId: number; startsAt: number }[] }) {
  const { household, members, balance, year, entries } = home;
  return (
    <>
      <p className="muted place elder-hide">
        {household.village} · {household.number}号户{household.grid ? ` · ${household.grid}` : ""}
      </p>
      <div className="balances">
        <div className="balance">
          <div className="label">可用积分</div>
          <div className="value" data-testid="spendable">{balance.spendable}</div>
          {balance.held > 0 ? <div className="hint">另有 {balance.held} 分兑换中</div> : <div className="hint">可到超市兑换</div>}
        </div>
        <div className="balance elder-hide">
          <div className="label">{year}年累计积分</div>
          <div className="value score" data-testid="score">{balance.score}</div>
          <div className="hint">用于评比排名</div>
        </div>
      </div>
      <FlagBanner flags={flags} />
      <ExpiryNoticeBox notice={expiry} />
      {balance.spendable < 0 ? <p className="warn">因扣分，可用积分为负，补足后才能兑换。</p> : null}
      {/* The three ways that matter most; 长辈模式 keeps only these and the balance (.elder-hide goes). */}
      <nav className="main-ways" aria-label="常用">
        <Link to="/store" className="button">去兑换</Link>
        <Link to="/statement" className="button secondary">明细</Link>
        <Link to="/claims" className="button secondary">申报</Link>
      </nav>
      {join.map((c) => (
        <p key={c.id} className="card elder-hide" data-testid="campaign-to-join">
          正在评选：<strong>{c.title}</strong>，<span className="nowrap">{formatTime(c.until).slice(5, 16)} 截止</span>。{" "}
          <Link to={`/campaigns/${c.id}`}>{c.action} ›</Link>
        </p>
      ))}
      <section className="card elder-hide">
        <div className="row" style={{ justifyContent: "space-between" }}>
          <h2>家庭成员</h2>
          <Link to="/household">谁能兑换 ›</Link>
        </div>
        <ul className="members">
          {members.map((m) => (
            <li key={m.id}>
              {m.name}
              <span className="muted small">（{m.relation}）</span>
            </li>
          ))}
        </ul>
      </section>
      <section className="card elder-hide">
        <div className="row" style={{ justifyContent: "space-between" }}>
          <h2>最近记录</h2>
          <Link to="/statement">全部明细 ›</Link>
        </div>
        <EntryList entries={entries} />
      </section>
    </>
  );
}
