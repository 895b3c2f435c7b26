// The village setting 联户长可见积分余额 (villages.group_leader_sees_balances, 0020): parsed here,
// saved by the settings form with the village's other settings (app/rules/rules.server.ts). Optional:
// a settings page from before the field existed keeps the village's value.
import { z } from "zod";
import { LEADER_BALANCE_CHOICES, type LeaderBalances } from "./labels";

export const groupSettingsFields = {
  leaderBalances: z
    .enum(LEADER_BALANCE_CHOICES.map((c) => c.value) as [LeaderBalances, ...LeaderBalances[]], { error: "请选择联户长能否看到积分余额" })
    .optional()
    .transform((s) => s ?? null),
};

export const GROUP_FIELDS = ["leaderBalances"] as const;

export interface GroupSettings {
  /** null (a form without the field) = unchanged. */
  leaderBalances: LeaderBalances | null;
}

export const groupSettingsColumns = ["group_leader_sees_balances as leaderBalancesFlag"] as const;

/** The settings as the page reads them (the column is 0/1). */
export function groupSettingsOf(row: { leaderBalancesFlag: number }): GroupSettings {
  return { leaderBalances: row.leaderBalancesFlag === 1 ? "show" : "hide" };
}

/** The villages column to set; a field the form did not send keeps the village's value. */
export function groupSettingsUpdate(before: GroupSettings, s: GroupSettings) {
  return { group_leader_sees_balances: (s.leaderBalances ?? before.leaderBalances) === "show" ? 1 : 0 };
}
