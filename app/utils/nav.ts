// The main menu for a viewer's roles. Later issues add their entries here.
import type { Role } from "./roles";

export interface NavItem {
  to: string;
  label: string;
}

export function navFor(roles: { role: Role; villageId: number | null }[], hasHousehold: boolean): NavItem[] {
  const items: NavItem[] = [];
  if (hasHousehold) items.push({ to: "/", label: "我的积分" }, { to: "/store", label: "积分超市" }, { to: "/statement", label: "积分明细" });
  for (const r of roles.filter((g) => g.role === "store_keeper")) items.push({ to: `/v/${r.villageId}/store/scan`, label: "扫码核销" }, { to: `/v/${r.villageId}/store`, label: "店务" });
  for (const r of roles.filter((g) => g.role === "committee")) items.push({ to: `/v/${r.villageId}/store/settlement`, label: "超市结算" });
  const adminVillages = roles.filter((r) => r.role === "village_admin").map((r) => r.villageId);
  for (const v of adminVillages) items.push({ to: `/v/${v}/admin`, label: "村务管理" });
  if (roles.some((r) => r.role === "township_admin")) items.push({ to: "/township", label: "乡镇管理" });
  items.push({ to: "/password", label: "修改密码" });
  return items;
}
