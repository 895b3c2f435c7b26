// Role names and their Chinese labels; shared by server and UI (no server code here).
export const ROLES = ["villager", "household_head", "inspector", "store_keeper", "committee", "village_admin", "township_admin"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  villager: "村民",
  household_head: "户主",
  inspector: "网格员/检查员",
  store_keeper: "店主",
  committee: "村委委员",
  village_admin: "村管理员",
  township_admin: "乡镇管理员",
};

export const VILLAGE_ROLES = ROLES.filter((r) => r !== "township_admin");
