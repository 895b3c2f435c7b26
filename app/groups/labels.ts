// 联户 words and limits shared by the server's schemas and the pages (no server code here).

export const GROUP_LIMITS = {
  /** A group's name, e.g. "3号联户" or "东头联户". */
  name: 20,
  /** Households one group takes at most (a group is about 10–15; room for the odd large one). */
  households: 40,
} as const;

export const GROUP_MESSAGES = {
  name: "请填写联户名称",
  nameTaken: "本村已有同名联户，请换一个名称",
  grid: "请选择联户所在的网格",
  leader: "联户长要从本村有登录账号的村民里选",
  worker: "网格员要从本村有检查员角色的账号里选",
  households: "勾选的住户要是这个网格的本村住户",
  tooMany: `一个联户最多 ${GROUP_LIMITS.households} 户`,
  badRequest: "请求有误，请刷新页面后再试",
} as const;

/** 联户长可见积分余额: the village setting's choices (villages.group_leader_sees_balances). */
export const LEADER_BALANCE_CHOICES = [
  { value: "hide", label: "不显示（联户长只看到姓名、住址和申报记录）" },
  { value: "show", label: "显示（联户长能看到本联户各户的积分余额）" },
] as const;
export type LeaderBalances = (typeof LEADER_BALANCE_CHOICES)[number]["value"];

/** How the list shows a household with no phone number on file. */
export const NO_PHONE = "无手机";
