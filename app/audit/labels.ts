// How audit rows read in Chinese; shared by server and UI (no server code here).
import { formatTime } from "~/platform/format";
import { ROLE_LABELS, type Role } from "~/platform/roles";

export const ACTION_LABELS: Record<string, string> = {
  "household.create": "新增住户",
  "household.update": "修改住户",
  "member.create": "添加成员",
  "member.update": "修改成员",
  "member.deactivate": "停用成员",
  "member.activate": "启用成员",
  "user.create": "开通账号",
  "user.roles": "修改角色",
  "user.disable": "停用登录",
  "user.enable": "启用登录",
  reset_password: "重置密码",
  change_own_password: "修改自己的密码",
  "member.can_redeem": "设置成员能否兑换",
  "grid.create": "新增网格",
  "grid.rename": "网格改名",
  "village.create": "新建村",
  import_roster: "导入花名册",
  // earning points (issue 4)
  "rule.create": "新增积分细则",
  "rule.update": "修改积分细则",
  "rule.retire": "停用积分细则",
  "rule.activate": "启用积分细则",
  "village.settings": "修改审核与公示设置",
  // 代跑 (issue 18)
  "errand.setting": "设置代跑积分细则",
  "errand.post": "发布代跑需求",
  "errand.take": "接下代跑",
  "errand.give_back": "放回代跑",
  "errand.cancel": "取消代跑需求",
  "errand.confirm": "确认代跑完成并申报积分",
  "claim.file": "提交积分申报",
  "claim.approve": "审核通过申报",
  "claim.reject": "驳回申报",
  "claim.revoke": "撤销申报并冲正",
  "claim.withdraw": "撤回公示中的申报",
  "objection.uphold": "异议成立",
  "objection.dismiss": "异议不成立",
  // volunteer activities
  "activity.create": "发起活动",
  "activity.update": "修改活动",
  "activity.cancel": "取消活动",
  "activity.signup": "活动报名",
  "activity.signup_cancel": "取消活动报名",
  "activity.attend": "登记到场",
  "activity.unattend": "撤销签到",
  "activity.hours": "记录服务小时",
  "activity.close": "结束活动并申报积分",
  // 志愿队伍 (issue 18)
  "team.create": "新建志愿队伍",
  "team.update": "修改志愿队伍",
  "team.member_add": "加入志愿队伍",
  "team.member_remove": "移出志愿队伍",
  "team.leader": "设置志愿队伍队长",
  // honour campaigns (评选)
  "campaign.create": "发起评选",
  "campaign.nominate": "评选提名",
  "campaign.nomination_accept": "确定评选候选",
  "campaign.nomination_reject": "不采纳评选提名",
  "campaign.nomination_merge": "合并重复提名",
  "campaign.tie": "决定评选同票",
  "flag.decide": "决定流动红旗归属（并列）",
  "campaign.confirm": "确认评选结果并申报积分",
  "member.representative": "设置村民代表",
  "good.create": "新增商品",
  "good.update": "修改商品",
  "stock.restock": "商品入库",
  "stock.correct": "盘点修正库存",
  "order.confirm": "扫码核销",
  "order.counter": "柜台兑换",
  "order.void": "作废兑换单",
  "store.day_close": "超市日结",
  "store.settle": "超市月结算",
  "store.create": "新增超市",
  "store.update": "修改超市",
  "store.keepers": "设置超市店主",
  "pin.set": "设置柜台兑换密码",
  "pin.change": "修改柜台兑换密码",
  // issue 18: 联户长
  "group.create": "新建联户",
  "group.rename": "联户改名",
  "group.leader": "设置联户长",
  "group.households": "调整联户住户",
  "grid.worker": "设置网格员",
  // end issue 18: 联户长
  // 定岗认责 posts (issue 18)
  "post.create": "新设岗位",
  "post.update": "修改岗位",
  "post.end": "撤销岗位",
  "post.reopen": "恢复岗位",
  "post.apply": "申请岗位",
  "post.accept": "同意岗位申请",
  "post.refuse": "不同意岗位申请",
  "post.appoint": "任命岗位",
  "post.end_holding": "卸任岗位",
  "post.confirm": "确认岗位履职并申报积分",
  "post.not_done": "确认岗位当月未履职",
  // sanitation rounds
  "checklist.create": "新建卫生检查表",
  "checklist.update": "修改卫生检查表",
  "checklist.retire": "停用卫生检查表",
  "checklist.restore": "启用卫生检查表",
  "round.create": "新建卫生评比",
  "round.assign": "设置评比检查分工",
  "round.open": "开始卫生评比",
  "round.publish": "公布卫生评比并申报积分",
  "inspection.score": "卫生检查评分",
  "inspection.absent": "卫生检查标记未检查",
  "inspection.return": "退回卫生评分重评",
  "recusal.add": "申报亲属回避",
  "recusal.remove": "取消亲属回避",
  "reinspection.request": "申请卫生复查",
  "reinspection.accept": "同意卫生复查",
  "reinspection.decline": "不同意卫生复查",
  "reinspection.apply": "按复查结果改分",
  // exports (issue 16): what was downloaded, for which days, in which format
  "export.ledger": "导出积分流水",
  "export.households": "导出住户积分",
  "export.claims": "导出积分申报",
  "export.orders": "导出兑换单",
  "export.settlements": "导出月度结算",
  // issue 17: bulk awards (批量发放)
  "bulk.create": "新建批量发放",
  "bulk.done": "批量发放登记完成",
  // issue 17: expiry (积分清零)
  "expiry.reverse": "撤销积分过期",
  // issue 17: appeals (申诉)
  "appeal.file": "提出申诉",
  "appeal.uphold": "申诉：维持原决定",
  "appeal.modify": "申诉：改分（冲正并重记）",
  "appeal.revoke": "申诉：撤销并冲正",
};

const FIELD_LABELS: Record<string, string> = {
  number: "户号",
  grid: "网格",
  address: "门牌地址",
  head: "户主",
  head_phone: "户主手机号",
  relation: "关系",
  phone: "手机号",
  can_redeem: "可兑换",
  active: "在册",
  login_disabled: "登录停用",
  disabled: "登录停用",
  roles: "角色",
  must_change_password: "首次登录须改密码",
  member: "关联村民",
  code: "村代码",
  notice_days: "公示天数",
  rows: "行数",
  households: "户数",
  members: "人数",
  newGrids: "新建网格数",
  noticeDays: "公示天数",
  approvalsNeeded: "需要审核人数",
  rankingNames: "排行榜上的姓名",
  points: "分值",
  reason: "理由",
  note: "备注",
  result: "结果",
  approvals: "已通过人数",
  category: "类别",
  unit: "单位",
  evidenceRequired: "需要照片",
  evidence_required: "需要照片",
  title: "活动名称",
  place: "地点",
  capacity: "名额",
  cancel_reason: "取消原因",
  hours: "小时数",
  description: "活动说明",
  starts_at: "开始时间",
  ends_at: "结束时间",
  signup_deadline: "报名截止",
  organiser_user_id: "组织者账号编号",
  rule_id: "积分细则编号",
  status: "状态",
  price: "兑换积分",
  cost_fen: "进价（分）",
  monthly_limit: "每户每月限兑",
  low_stock: "库存预警数",
  stock: "库存",
  source: "来源",
  keepers: "店主",
  household_head: "户主",
  claims: "生成的申报编号",
  total: "积分合计",
  orders: "兑换单数",
  voids: "作废单数",
  items: "出库商品",
  day: "日期",
  month: "月份",
  cost_yuan: "进价合计（元）",
  photo: "换了照片",
  // honour campaigns
  nominate: "提名时间",
  vote: "投票时间",
  voters: "投票方式",
  quorum: "最低投票率（%）",
  categories: "评选类别",
  nomination: "提名编号",
  into: "合并到提名",
  choice: "选定的提名",
  tied: "同票的提名",
  turnout: "投票情况",
  winners: "当选",
  is_representative: "村民代表",
  representatives: "村民代表人数",
  nomination_status: "提名状态",
  // exports
  from: "开始日期",
  to: "结束日期",
  format: "文件格式",
  scope: "导出范围",
  // bulk awards
  rule: "积分细则",
  chosen: "发给",
  filed: "已登记户数",
  skipped: "跳过户数",
  // issue 17: expiry (积分清零)
  expiryMode: "积分过期方式",
  expiryMonths: "过期月数",
  expiryNoticeDays: "提前提醒天数",
  period: "过期期次",
  // issue 17: appeals (申诉)
  newPoints: "改为分值",
  appealDays: "申诉天数",
  // issue 18: 联户长
  leaderBalances: "联户长可见积分余额",
  leaderUserId: "联户长",
  workerUserId: "网格员",
  householdIds: "住户",
  gridId: "网格",
};

// Stored enum values as the log shows them ("status: open → closed" reads 状态：未结束 → 已结束).
const VALUE_LABELS: Record<string, Record<string, string>> = {
  status: { open: "未结束", closed: "已结束", cancelled: "已取消", active: "有效" },
  result: { approved: "通过，进入公示", credited: "通过，已入账", needs_more: "通过，还需其他委员审核" },
  nomination_status: { proposed: "待审核", accepted: "已确定为候选", rejected: "未采纳", merged: "已合并" },
  format: { csv: "CSV 表格", xlsx: "Excel 表格（xlsx）" },
  rankingNames: { masked: "隐去中间的字", full: "全名" },
  scope: { village: "本村", township: "全乡镇（一个文件）" },
  expiryMode: { never: "不过期", year_end: "每年年底清零", months: "得到满几个月后过期" },
  leaderBalances: { hide: "不显示", show: "显示" },
};

// Internal ids that mean nothing to a reader of the log.
const HIDDEN = new Set(["head_member_id", "member_id", "household_id", "memberId", "ruleId", "claimId", "txnId", "txn", "source"]);

export function actionLabel(action: string): string {
  return ACTION_LABELS[action] ?? action;
}

export function roleLabel(role: string): string {
  if (role === "group_leader") return "联户长";
  return ROLE_LABELS[role as Role] ?? (role === "system" ? "系统" : role);
}

function fieldLabel(key: string, targetType: string): string {
  if (key === "name") return targetType === "grid" || targetType === "village" || targetType === "rule" || targetType === "household_group" ? "名称" : "姓名";
  return FIELD_LABELS[key] ?? key;
}

function show(key: string, v: unknown): string {
  if (v === null || v === undefined || v === "") return "（空）";
  if (typeof v === "boolean") return v ? "是" : "否";
  if (typeof v === "number" && /(_at|_deadline)$/.test(key)) return formatTime(v);
  if (typeof v === "string" && VALUE_LABELS[key]?.[v]) return VALUE_LABELS[key][v];
  if (Array.isArray(v)) {
    if (key === "roles") return v.map((r) => roleLabel(String(r))).join("、") || "（无）";
    // A day close lists [name, qty] pairs.
    return v.map((x) => (Array.isArray(x) && x.length === 2 ? `${x[0]}×${x[1]}` : String(x))).join("、") || "（无）";
  }
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

export interface ChangeLine {
  label: string;
  before: string | null; // null: the field is new (nothing before)
  after: string | null; // null: the field was removed
}

/** The fields an audit row changed, readable; for a create, every field it set. */
export function changeLines(before: unknown, after: unknown, targetType: string): ChangeLine[] {
  const b = before && typeof before === "object" && !Array.isArray(before) ? (before as Record<string, unknown>) : null;
  const a = after && typeof after === "object" && !Array.isArray(after) ? (after as Record<string, unknown>) : null;
  if (!a && !b) {
    const text = [before, after].filter((x) => x !== null && x !== undefined).map((x) => show("", x));
    return text.length ? [{ label: "内容", before: null, after: text.join(" → ") }] : [];
  }
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])].filter((k) => !HIDDEN.has(k));
  const lines: ChangeLine[] = [];
  for (const k of keys) {
    const inB = b !== null && k in b;
    const inA = a !== null && k in a;
    if (inB && inA && JSON.stringify(b![k]) === JSON.stringify(a![k])) continue;
    lines.push({ label: fieldLabel(k, targetType), before: inB ? show(k, b![k]) : null, after: inA ? show(k, a![k]) : null });
  }
  return lines;
}
