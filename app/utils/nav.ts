// The main menu for a viewer's roles. Later issues add their entries here.
import type { Role } from "./roles";

export interface NavItem {
  to: string;
  label: string;
}

export function navFor(roles: { role: Role; villageId: number | null }[], hasHousehold: boolean): NavItem[] {
  const items: NavItem[] = [];
  if (hasHousehold) items.push({ to: "/", label: "我的积分" }, { to: "/statement", label: "积分明细" });
  if (hasHousehold) items.push({ to: "/activities", label: "志愿活动" });
  // Committee members run activities; inspectors see the ones they organise.
  const activityVillages = [...new Set(roles.filter((r) => r.role === "committee" || r.role === "inspector").map((r) => r.villageId))];
  for (const v of activityVillages) items.push({ to: `/v/${v}/activities`, label: "活动管理" });
  const adminVillages = roles.filter((r) => r.role === "village_admin").map((r) => r.villageId);
  for (const v of adminVillages) items.push({ to: `/v/${v}/admin`, label: "村务管理" });
  if (roles.some((r) => r.role === "township_admin")) items.push({ to: "/township", label: "乡镇管理" });
  items.push({ to: "/password", label: "修改密码" });
  return items;
}
