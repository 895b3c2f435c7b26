// What each event says in the inbox, and its dedupe key (one notice per person and event). Plain
// functions of what the caller already has in hand, so the hooks in the claim, store and activity
// modules stay one line each and add no query.
import { formatTime } from "~/platform/format";
import type { Notice } from "./notify.server";

const pts = (n: number) => `${n > 0 ? "+" : ""}${n} 分`;
const day = (ms: number) => formatTime(ms).slice(0, 10);
const claimLink = (claimId: number) => `/claims#claim-${claimId}`;

interface ClaimFacts {
  claimId: number;
  villageId: number;
  rule: string;
  points: number;
}

export function claimApproved(c: ClaimFacts & { noticeUntil: number }): Notice {
  return {
    kind: "claim.approved", villageId: c.villageId, link: claimLink(c.claimId), dedupeKey: `claim:${c.claimId}:approved`,
    title: "申报已通过审核", body: `${c.rule} ${pts(c.points)}，正在公示，${day(c.noticeUntil)} 公示期满后入账`,
  };
}

export function claimRejected(c: ClaimFacts & { reason: string }): Notice {
  return {
    kind: "claim.rejected", villageId: c.villageId, link: claimLink(c.claimId), dedupeKey: `claim:${c.claimId}:rejected`,
    title: "申报没有通过", body: `${c.rule} ${pts(c.points)}。原因：${c.reason || "未填写"}`,
  };
}

export function claimCredited(c: ClaimFacts): Notice {
  return {
    kind: "claim.credited", villageId: c.villageId, link: "/statement", dedupeKey: `claim:${c.claimId}:credited`,
    title: c.points > 0 ? "积分已到账" : "扣分已入账", body: `${c.rule} ${pts(c.points)}`,
  };
}

export function claimRevoked(c: ClaimFacts & { reason: string }): Notice {
  return {
    kind: "claim.revoked", villageId: c.villageId, link: "/statement", dedupeKey: `claim:${c.claimId}:revoked`,
    title: "一笔积分被撤销", body: `${c.rule} ${pts(c.points)} 已冲回。原因：${c.reason}`,
  };
}

/** To the household whose claim is objected to. */
export function objectionFiled(o: { objectionId: number; claimId: number; villageId: number; rule: string }): Notice {
  return {
    kind: "objection.filed", villageId: o.villageId, link: claimLink(o.claimId), dedupeKey: `objection:${o.objectionId}:filed`,
    title: "你家的申报有人提出异议", body: `${o.rule}：村委会核实后处理，处理前暂不入账`,
  };
}

/** To the committee: one objection to decide (few, unlike claims, which are counted live instead). */
export function objectionToDecide(o: { objectionId: number; claimId: number; villageId: number; rule: string }): Notice {
  return {
    kind: "objection.filed", villageId: o.villageId, link: `/v/${o.villageId}/review/${o.claimId}`, dedupeKey: `objection:${o.objectionId}:to-decide`,
    title: "有一条异议待处理", body: `${o.rule}（申报 #${o.claimId}）`,
  };
}

/** To the claim's household and to the objector. */
export function objectionDecided(o: { objectionId: number; claimId: number; villageId: number; upheld: boolean; note: string; forObjector: boolean }): Notice {
  const outcome = o.upheld ? "异议成立，这条申报不予入账" : "异议不成立，申报继续公示";
  return {
    kind: "objection.decided", villageId: o.villageId, link: o.forObjector ? `/v/${o.villageId}/notice` : claimLink(o.claimId),
    dedupeKey: `objection:${o.objectionId}:decided${o.forObjector ? ":objector" : ""}`,
    title: o.forObjector ? "你提出的异议已处理" : "你家申报的异议已处理", body: `${outcome}。${o.note}`,
  };
}

export function orderConfirmed(o: { orderId: number; villageId: number; total: number; receipt: string }): Notice {
  return {
    kind: "order.confirmed", villageId: o.villageId, link: `/store/orders/${o.orderId}`, dedupeKey: `order:${o.orderId}:confirmed`,
    title: "兑换成功", body: `兑换单 ${o.receipt}，用去 ${o.total} 分`,
  };
}

export function orderVoided(o: { orderId: number; villageId: number; receipt: string; reason: string }): Notice {
  return {
    kind: "order.voided", villageId: o.villageId, link: `/store/orders/${o.orderId}`, dedupeKey: `order:${o.orderId}:voided`,
    title: "兑换单已作废，积分已退回", body: `兑换单 ${o.receipt}。原因：${o.reason}`,
  };
}

export function activityCancelled(a: { activityId: number; villageId: number; title: string; reason: string }): Notice {
  return {
    kind: "activity.cancelled", villageId: a.villageId, link: `/activities/${a.activityId}`, dedupeKey: `activity:${a.activityId}:cancelled`,
    title: "你报名的活动取消了", body: `${a.title}${a.reason ? `。原因：${a.reason}` : ""}`,
  };
}

export function pinLocked(p: { householdId: number; villageId: number; until: number }): Notice {
  return {
    kind: "pin.locked", villageId: p.villageId, link: "/household/pin", dedupeKey: `pin:${p.householdId}:locked:${p.until}`,
    title: "柜台兑换已锁定", body: `兑换密码连续输错多次，${formatTime(p.until)} 前不能在柜台兑换。如果不是你家的人在试，请告诉村管理员`,
  };
}
