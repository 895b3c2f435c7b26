// The main menu for a viewer's roles. Later issues add their entries here.
import type { Role } from "./roles";

export interface NavItem {
  to: string;
  label: string;
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
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/review`, label: "审核申报" });
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/claims/new`, label: "登记积分" });
  // Committee members run activities; inspectors see the ones they organise.
  for (const v of villagesWith("inspector", "committee")) items.push({ to: `/v/${v}/activities`, label: "活动管理" });
  for (const v of villagesWith("store_keeper")) items.push({ to: `/v/${v}/store/scan`, label: "扫码核销" }, { to: `/v/${v}/store`, label: "店务" });
  for (const v of villagesWith("committee")) items.push({ to: `/v/${v}/store/settlement`, label: "超市结算" });
  for (const v of villagesWith("village_admin")) items.push({ to: `/v/${v}/admin`, label: "村务管理" });
  if (roles.some((r) => r.role === "township_admin")) items.push({ to: "/township", label: "乡镇管理" });
  items.push({ to: "/password", label: "修改密码" });
  return items;
}
