// The main menu for a viewer's roles. Later issues add their entries here.
import type { Role } from "./roles";

export interface NavItem {
  to: string;
  label: string;
  /** A staff job: grouped behind one 工作 entry when the menu also has the household's own pages. */
  work?: boolean;
}

export function navFor(roles: { role: Role; villageId: number | null }[], hasHousehold: boolean): NavItem[] {
  const items: NavItem[] = [];
  const villagesWith = (...want: Role[]) => [...new Set(roles.filter((r) => want.includes(r.role) && r.villageId !== null).map((r) => r.villageId))];
  // The household's own pages first, then the village's notice board, then each job.
  if (hasHousehold) {
    items.push({ to: "/", label: "我的积分" }, { to: "/store", label: "积分超市" }, { to: "/statement", label: "积分明细" });
    items.push({ to: "/claims", label: "申报积分" }, { to: "/activities", label: "志愿活动" });
  }
  for (const v of new Set(roles.filter((g) => g.villageId !== null).map((g) => g.villageId))) items.push({ to: `/v/${v}/notice`, label: "公示栏" });
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/review`, label: "审核申报", work: true });
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/claims/new`, label: "登记积分", work: true });
  // Committee members run activities; inspectors see the ones they organise.
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/activities`, label: "活动管理", work: true });
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/rounds`, label: "卫生评比", work: true });
  // Honour campaigns: the committee runs them; villagers reach theirs from the notice board.
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/campaigns`, label: "评选管理", work: true });
  for (const v of villagesWith("store_keeper")) items.push({ to: `/v/${v}/store/scan`, label: "扫码核销", work: true }, { to: `/v/${v}/store`, label: "店务", work: true });
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/store/settlement`, label: "超市结算", work: true });
  for (const v of villagesWith("village_admin")) items.push({ to: `/v/${v}/admin`, label: "村务管理", work: true });
  for (const v of villagesWith("village_admin")) items.push({ to: `/v/${v}/admin/checklists`, label: "卫生检查表", work: true });
  if (roles.some((r) => r.role === "township_admin")) items.push({ to: "/township", label: "乡镇管理", work: true });
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
export function menuFor(roles: { role: Role; villageId: number | null }[], hasHousehold: boolean): MenuEntry[] {
  const all = navFor(roles, hasHousehold);
  const jobs = all.filter((n) => n.work);
  if (!hasHousehold || jobs.length === 0) return all.map((n) => ({ ...n, covers: [n.to] }));
  const own = all.filter((n) => !n.work && n.to !== "/password").map((n) => ({ ...n, covers: [n.to] }));
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
