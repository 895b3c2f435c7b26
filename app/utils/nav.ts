// The main menu for a viewer's roles. Later issues add their entries here.
import type { Role } from "./roles";

export interface NavItem {
  to: string;
  label: string;
}

export function navFor(roles: { role: Role; villageId: number | null }[], hasHousehold: boolean): NavItem[] {
  const items: NavItem[] = [];
  if (hasHousehold) items.push({ to: "/", label: "我的积分" }, { to: "/statement", label: "积分明细" });
  if (hasHousehold) items.push({ to: "/claims", label: "申报积分" });
  // Claims (issue 4): review, filing for others, the notice board of each village the viewer belongs to.
  for (const g of roles) if (g.role === "committee") items.push({ to: `/v/${g.villageId}/review`, label: "审核申报" });
  for (const g of roles) if (g.role === "inspector" || g.role === "committee") items.push({ to: `/v/${g.villageId}/claims/new`, label: "登记积分" });
  for (const v of new Set(roles.filter((g) => g.villageId !== null).map((g) => g.villageId))) items.push({ to: `/v/${v}/notice`, label: "公示栏" });
  if (hasHousehold) items.push({ to: "/activities", label: "志愿活动" });
  // Committee members run activities; inspectors see the ones they organise.
  const activityVillages = [...new Set(roles.filter((r) => r.role === "committee" || r.role === "inspector").map((r) => r.villageId))];
  for (const v of activityVillages) items.push({ to: `/v/${v}/activities`, label: "活动管理" });
  const adminVillages = roles.filter((r) => r.role === "village_admin").map((r) => r.villageId);
  for (const v of adminVillages) items.push({ to: `/v/${v}/admin`, label: "村务管理" });
  if (roles.some((r) => r.role === "township_admin")) items.push({ to: "/township", label: "乡镇管理" });
  items.push({ to: "/password", label: "修改密码" });
  // A committee member who is also an inspector gets one 登记积分 entry per village, not two.
  return items.filter((it, i) => items.findIndex((o) => o.to === it.to) === i);
}
