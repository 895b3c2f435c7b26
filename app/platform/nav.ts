// The main menu for a viewer's roles. Later issues add their entries here.
import type { Role } from "./roles";

export interface NavItem {
  to: string;
  label: string;
  /** A staff job: grouped behind one 工作 entry when the menu also has the household's own pages. */
  work?: boolean;
  /** A counter job (扫码核销, 柜台兑换): the keeper's home shows these first and large. */
  counter?: boolean;
  /** Shown on the home and 工作 tiles only, not in the menu bar (the store's tabs link it already). */
  tileOnly?: boolean;
  /**
   * The village's shared work a household takes part in (志愿活动, 代跑, 定岗认责, 志愿队伍, 我的联户):
   * one 志愿互助 entry in the bar leads to them, so a villager's bar stays two rows on a phone.
   */
  together?: boolean;
  /** A line under a counter tile saying when to use it. */
  hint?: string;
  /** What waits behind the job, counted by the home and 工作 loaders (the count is server work). */
  waits?: { kind: WaitKind; villageId: number };
}

/** What a work tile can count. */
export type WaitKind = "claims" | "codes" | "rounds";

/** How a tile says its count ("12 条待审"). */
export const WAIT_WORDS: Record<WaitKind, string> = { claims: "条待审", codes: "个兑换码待核销", rounds: "轮进行中" };

/** What the roles do not say: a 联户长 leads a household group (issue 18; the root loader asks, one indexed lookup). */
export interface NavExtra {
  leadsGroup?: boolean;
}

export function navFor(roles: { role: Role; villageId: number | null }[], hasHousehold: boolean, extra: NavExtra = {}): NavItem[] {
  const items: NavItem[] = [];
  const villagesWith = (...want: Role[]) => [...new Set(roles.flatMap((r) => (want.includes(r.role) && r.villageId !== null ? [r.villageId] : [])))];
  // The household's own pages first, then the jobs (the counter's before all others: a keeper's home
  // is the counter), then the village's notice board.
  if (hasHousehold) {
    items.push({ to: "/", label: "我的积分" }, { to: "/store", label: "积分超市" }, { to: "/statement", label: "积分明细" });
    items.push({ to: "/claims", label: "申报积分" });
    // Issue 18: errands to run or ask for, the posts one holds, the village's and the township's teams.
    items.push(
      { to: "/activities", label: "志愿活动", together: true, hint: "报名参加村里的志愿服务" },
      { to: "/errands", label: "代跑", together: true, hint: "帮乡亲跑腿，或请人帮忙" },
      { to: "/posts", label: "定岗认责", together: true, hint: "认领村里的岗位，每月履职" },
      { to: "/teams", label: "志愿队伍", together: true, hint: "村里和镇上的志愿服务队" },
    );
  }
  // 我的联户 (issue 18): the group's households, for the 联户长 who files for them.
  if (extra.leadsGroup) items.push({ to: "/group", label: "我的联户", together: true, hint: "联户的农户，替没有手机的农户申报" });
  for (const v of villagesWith("store_keeper")) {
    items.push(
      { to: `/v/${v}/store/scan`, label: "扫码核销", work: true, counter: true, hint: "村民出示手机上的兑换码", waits: { kind: "codes", villageId: v } },
      { to: `/v/${v}/store/counter`, label: "柜台兑换", work: true, counter: true, tileOnly: true, hint: "没有手机：户卡加兑换密码" },
    );
  }
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/review`, label: "审核申报", work: true, waits: { kind: "claims", villageId: v } });
  // 申诉 (issue 17): appeals after credit, decided by a member who had no hand in the original.
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/appeals`, label: "申诉处理", work: true });
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/claims/new`, label: "登记积分", work: true });
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/bulk`, label: "批量发放", work: true });
  // 代跑 (issue 18): the grid worker's untaken needs; the committee sees the village's.
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/errands`, label: "代跑需求", work: true });
  // 定岗认责 (issue 18): the committee defines posts and appoints; it and the 网格员 confirm each month's duty.
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/posts`, label: "定岗管理", work: true });
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/posts/confirm`, label: "岗位确认", work: true });
  // Committee members run activities; inspectors see the ones they organise.
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/activities`, label: "活动管理", work: true });
  // 志愿队伍 (issue 18): the village's squads and the township's teams, run by the committee.
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/teams`, label: "志愿队伍", work: true });
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/rounds`, label: "卫生评比", work: true, waits: { kind: "rounds", villageId: v } });
  // Honour campaigns: the committee runs them; villagers reach theirs from the notice board.
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/campaigns`, label: "评选管理", work: true });
  for (const v of villagesWith("store_keeper")) items.push({ to: `/v/${v}/store`, label: "店务", work: true });
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/store/settlement`, label: "超市结算", work: true });
  // 积分清零 (issue 17): the village's expiries, each of which the committee may reverse with a reason.
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/expiry`, label: "积分过期", work: true, tileOnly: true });
  // The village's own figures, its spreadsheets and the passbooks it prints for households without phones.
  for (const v of villagesWith("committee", "village_admin")) {
    items.push(
      { to: `/v/${v}/report`, label: "村报表", work: true },
      { to: `/v/${v}/passbook`, label: "打印存折", work: true, tileOnly: true },
      { to: `/v/${v}/exports`, label: "导出表格", work: true, tileOnly: true },
    );
  }
  for (const v of villagesWith("village_admin")) items.push({ to: `/v/${v}/admin`, label: "村务管理", work: true });
  for (const v of villagesWith("village_admin")) items.push({ to: `/v/${v}/admin/checklists`, label: "卫生检查表", work: true });
  if (roles.some((r) => r.role === "township_admin")) {
    items.push(
      { to: "/township/dashboard", label: "乡镇看板", work: true },
      { to: "/township", label: "乡镇管理", work: true },
      { to: "/township/exports", label: "导出表格", work: true, tileOnly: true },
      // 志愿队伍 (issue 18): every team's hours side by side; the township's own teams (a tile: the bar stays short).
      { to: "/township/teams", label: "志愿队伍", work: true, tileOnly: true },
    );
  }
  for (const v of new Set(roles.filter((g) => g.villageId !== null).map((g) => g.villageId))) items.push({ to: `/v/${v}/notice`, label: "公示栏" });
  items.push({ to: "/password", label: "修改密码" });
  return items;
}

export interface MenuEntry extends NavItem {
  /** The pages this entry stands for (the 工作 entry stands for every job behind it). */
  covers: string[];
}

/**
 * The menu bar. A villager's own pages stay one tap away; a villager who also has jobs (a committee
 * member, an inspector) gets them behind one 工作 entry, so the bar stays two short rows on a phone
 * instead of a strip that scrolls sideways and hides its last entries. Staff without a household
 * have few entries and see their jobs directly.
 */
export function menuFor(roles: { role: Role; villageId: number | null }[], hasHousehold: boolean, extra: NavExtra = {}): MenuEntry[] {
  const every = navFor(roles, hasHousehold, extra);
  const jobs = every.filter((n) => n.work);
  // Only what the bar needs travels to every page (no tile hints or counts).
  const together = every.filter((n) => n.together);
  const bar = every.filter((n) => !n.tileOnly && !n.together).map((n): MenuEntry => ({ to: n.to, label: n.label, ...(n.work ? { work: true } : {}), covers: [n.to] }));
  // 志愿互助 stands where its first page would be: after the household's own pages.
  const at = bar.findIndex((n) => n.to === "/claims") + 1;
  const all = together.length
    ? [...bar.slice(0, at), { to: "/together", label: "志愿互助", covers: ["/together", ...together.map((n) => n.to)] }, ...bar.slice(at)]
    : bar;
  if (!hasHousehold || jobs.length === 0) return all;
  const own = all.filter((n) => !n.work && n.to !== "/password");
  return [...own, { to: "/work", label: "工作", covers: ["/work", ...jobs.map((j) => j.to)] }, { to: "/password", label: "修改密码", covers: ["/password"] }];
}

/** The menu entry to mark as current: the one covering the longest prefix of the path ("/" only exactly). */
export function currentEntry(menu: MenuEntry[], pathname: string): string | null {
  let best: { to: string; len: number } | null = null;
  for (const m of menu) {
    for (const c of m.covers) {
      const hit = c === "/" ? pathname === "/" : pathname === c || pathname.startsWith(`${c}/`);
      if (hit && (!best || c.length > best.len)) best = { to: m.to, len: c.length };
    }
  }
  return best?.to ?? null;
}
