// Two villages that went through the app's own modules over September to December 2026, for the
// report tests, and the same figures summed independently from ledger_entries with hand-written SQL.
//
// Village X (the sanitation fixture: grid 一 with households A–D, grid 二 with E) has claims credited
// in 志愿服务, a 评选 award and an award without a rule (其他), a published November round (环境卫生
// awards and a 村规民约 deduction through claims), goods redeemed at its store and one order voided,
// a reversed award and a reversed deduction, a revoked claim, objections upheld and dismissed,
// claims still waiting (one since 20 November), October settled and November not, and a good sold
// out. Village Y has households without grids, an award and a redemption and nothing else.
import { approveClaim, creditDueClaims, fileClaimBatch, objectToClaim, resolveObjection, revokeClaim } from "~/claims/claims.server";
import { award, deduct, redeem, reverse } from "~/ledger/ledger.server";
import { clockControl, now } from "~/platform/clock.server";
import { insertUser } from "~/people/users.server";
import { insertRule } from "~/rules/rules.server";
import { publishRound } from "~/sanitation/publish.server";
import { createStore } from "~/store/admin.server";
import { confirmOrder, createOrder } from "~/store/checkout.server";
import { changeStock, createGood } from "~/store/goods.server";
import { voidOrder } from "~/store/order-void.server";
import { settleMonth } from "~/store/reports.server";
import { seedVillage } from "../ledger/helpers";
import { openNovemberRound, sanitationVillage, score, type SanitationVillage } from "../sanitation/fixture";
import { sqlOn } from "../support/sql";

export const DAY = 86_400_000;
/** 10:00 China time on a day of 2026. */
export const at = (month: number, day: number) => Date.UTC(2026, month - 1, day, 2);
/** "Now" for the reports: 15 December 2026. */
export const NOW = at(12, 15);

const SYSTEM = { userId: null, role: "system" } as const;
let phones = 13600000000;

export interface ReportVillages {
  x: SanitationVillage & { storeId: number; keeper: number; villager: number; goods: Record<string, number> };
  y: { villageId: number };
}

async function memberOf(householdId: number): Promise<number> {
  return (await sqlOn().value<number>("select id from members where household_id = ? order by is_head desc, id limit 1", householdId))!;
}

async function setNotice(villageId: number, days: number): Promise<void> {
  await sqlOn().run("update villages set notice_days = ? where id = ?", days, villageId);
}

export async function reportVillages(): Promise<ReportVillages> {
  clockControl.set(at(9, 1));
  const v = await sanitationVillage("RPX");
  await setNotice(v.villageId, 0);
  const rules = {
    sweep: await insertRule(v.villageId, { category: "volunteer", name: "清扫公共道路", points: 5, unit: "time", evidenceRequired: false, caps: {} }),
    family: await insertRule(v.villageId, { category: "family", name: "好媳妇", points: 20, unit: "time", evidenceRequired: false, caps: {} }),
    other: await insertRule(v.villageId, { category: "other", name: "献血", points: 3, unit: "time", evidenceRequired: false, caps: {} }),
  };
  const committee = { userId: v.committee1, role: "committee" as const };
  const admin = { userId: v.admin, role: "village_admin", villageId: v.villageId };
  const store = await createStore(admin, v.villageId, "村口超市");
  if (!store.ok) throw new Error(JSON.stringify(store.errors));
  const goods: Record<string, number> = {};
  for (const [name, price, stock] of [["大米", 30, 10], ["香皂", 4, 0]] as const) {
    const g = await createGood(admin, v.villageId, store.storeId, { name, category: "日用", unit: "袋", price, cost: 250, monthlyLimit: null, lowStock: 1, active: true }, null);
    if (!g.ok) throw new Error(JSON.stringify(g.errors));
    goods[name] = g.goodId;
    if (stock) await changeStock(admin, v.villageId, g.goodId, { intent: "stock.restock", qty: stock, source: "村集体", note: "备货" });
  }
  const keeper = await insertUser({ phone: String(++phones), passwordHash: "x", displayName: "店主", memberId: null, mustChangePassword: false, roles: [{ role: "store_keeper", villageId: v.villageId }] });
  const villager = await insertUser({ phone: String(++phones), passwordHash: "x", displayName: "村民", memberId: null, mustChangePassword: false, roles: [{ role: "villager", villageId: v.villageId }] });
  const member = { A: await memberOf(v.A), B: await memberOf(v.B), C: await memberOf(v.C), D: await memberOf(v.D), E: await memberOf(v.E) };

  // Filed by the inspector who does not live in the village, approved by a committee member who does not either.
  const file = async (household: keyof typeof member, ruleId: number) =>
    (await fileClaimBatch({ villageId: v.villageId, filer: { userId: v.inspector2, role: "inspector" }, items: [{ memberId: member[household], ruleId, occurredAt: now() - 3600_000, quantity: 1, note: "报表测试" }] }))[0];
  const credited = async (household: keyof typeof member, ruleId: number) => {
    const id = await file(household, ruleId);
    await approveClaim(v.villageId, id, committee);
    return id;
  };

  // September: volunteer claims credited at once, a 评选 award, an award without a rule, a deduction.
  clockControl.set(at(9, 10));
  await credited("C", rules.sweep);
  await credited("C", rules.sweep);
  const revoked = await credited("E", rules.sweep);
  const family = await award({ householdId: v.B, amount: 20, idemKey: "rpt:family:B", actor: SYSTEM, memberId: member.B, ruleId: rules.family, memo: "好媳妇" });
  await award({ householdId: v.D, amount: 7, idemKey: "rpt:norule:D", actor: SYSTEM, memberId: member.D, memo: "补记" });
  await award({ householdId: v.A, amount: 3, idemKey: "rpt:other:A", actor: SYSTEM, memberId: member.A, ruleId: rules.other, memo: "献血" });
  const fine = await deduct({ householdId: v.D, amount: 4, idemKey: "rpt:fine:D", actor: SYSTEM, memberId: member.D, ruleId: v.rules.dirty, memo: "乱堆乱放" });

  // October: redemptions at the store (one voided), a reversed award and a reversed deduction, a revoked claim.
  clockControl.set(at(10, 12));
  const keeperOf = { userId: keeper, role: "store_keeper" as const, villageId: v.villageId, storeIds: [store.storeId] };
  const sell = async (household: number, qty: number, nonce: string) => {
    const o = await createOrder({ householdId: household, memberId: null, userId: villager, storeId: store.storeId, lines: [{ goodId: goods["大米"], qty }], nonce });
    if (!o.ok) throw new Error(o.message);
    const code = (await sqlOn().value<string>("select code from orders where id = ?", o.orderId))!;
    const c = await confirmOrder(keeperOf, o.orderId, code);
    if (!c.ok) throw new Error(c.message);
    return o.orderId;
  };
  await award({ householdId: v.C, amount: 100, idemKey: "rpt:stock:C", actor: SYSTEM, memberId: member.C, ruleId: rules.sweep, memo: "大扫除" });
  await sell(v.C, 1, "o1");
  const voided = await sell(v.C, 1, "o2");
  const voidedOk = await voidOrder({ userId: keeper, role: "store_keeper", villageId: v.villageId, storeIds: [store.storeId] }, voided, "拿错了");
  if (!voidedOk.ok) throw new Error(voidedOk.message);
  await reverse({ txnId: family.txnId, idemKey: "rpt:family:B:rev", actor: SYSTEM, memo: "录错了" });
  await reverse({ txnId: fine.txnId, idemKey: "rpt:fine:D:rev", actor: SYSTEM, memo: "误扣" });
  await revokeClaim(v.villageId, revoked, committee, "重复申报");

  // November: settle October; the round of November scored and published (sanitation awards and a
  // 不合格 deduction through claims); more redemptions, left unsettled.
  clockControl.set(at(11, 2));
  const settled = await settleMonth({ userId: v.committee1, role: "committee", villageId: v.villageId }, store.storeId, "2026-10");
  if (!settled.ok) throw new Error(JSON.stringify(settled.errors));
  clockControl.set(at(11, 10));
  const roundId = await openNovemberRound(v);
  for (const [h, s] of [[v.A, [35, 35]], [v.B, [48, 47]], [v.C, [30, 20]], [v.D, [40, 40]], [v.E, [46, 46]]] as const) {
    const out = await score(v, v.inspector2, roundId, h, [s[0], s[1]]);
    if (!out.ok) throw new Error(JSON.stringify(out));
  }
  const published = await publishRound(committee, v.villageId, roundId);
  if (!published.ok) throw new Error(JSON.stringify(published.errors));
  await sell(v.C, 2, "o3");
  // A claim waiting since 20 November.
  clockControl.set(at(11, 20));
  await file("A", rules.sweep);

  // December: a claim in 公示 objected to and upheld, another objected to and dismissed (then credited), a new claim waiting.
  clockControl.set(at(12, 10));
  await setNotice(v.villageId, 3);
  const upheld = await file("E", rules.sweep);
  await approveClaim(v.villageId, upheld, committee);
  const dismissed = await file("E", rules.sweep);
  await approveClaim(v.villageId, dismissed, committee);
  clockControl.set(at(12, 11));
  const o1 = await objectToClaim(v.villageId, upheld, v.headC, "那天他不在村里");
  const o2 = await objectToClaim(v.villageId, dismissed, v.headC, "不确定");
  await resolveObjection(v.villageId, o1, committee, "uphold", "核实属实");
  await resolveObjection(v.villageId, o2, committee, "dismiss", "核实无误");
  clockControl.set(at(12, 14));
  await creditDueClaims();
  await file("B", rules.sweep);

  // Village Y: an award in September, a redemption in October, nothing settled, no claims.
  clockControl.set(at(9, 5));
  const y = await seedVillage("RPY", 2);
  await award({ householdId: y.householdIds[0], amount: 50, idemKey: "rpt:y:award", actor: SYSTEM, memo: "奖励" });
  clockControl.set(at(10, 5));
  await redeem({ householdId: y.householdIds[0], storeAccountId: y.storeAccountId, amount: 12, idemKey: "rpt:y:redeem", actor: SYSTEM, memo: "兑换" });

  clockControl.set(NOW);
  return { x: { ...v, storeId: store.storeId, keeper, villager, goods }, y: { villageId: y.villageId } };
}

// ---- the independent sums ------------------------------------------------------------------

/** China-time month of an instant, written here apart from the app's clock module. */
export const monthOfInstant = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 7);

interface Leg {
  amount: number;
  created_at: number;
  kind: string;
  category: string | null;
  account_id: number;
  grid_id: number | null;
}

/** Every household leg of a village, with its transaction's kind and rule category: straight from the ledger. */
export function householdLegs(villageId: number): Promise<Leg[]> {
  return sqlOn().all<Leg>(
    `select e.amount, e.created_at, t.kind, r.category, e.account_id, h.grid_id
       from ledger_entries e
       join accounts a on a.id = e.account_id
       join households h on h.id = a.household_id
       join ledger_transactions t on t.id = e.txn_id
       left join rules r on r.id = t.rule_id
      where a.village_id = ? and a.kind = 'household'`,
    villageId,
  );
}

export interface Truth {
  volunteer: number;
  sanitation: number;
  family: number;
  other: number;
  deducted: number;
  redeemed: number;
  reversed: number;
  net: number;
  outstanding: number;
}

const empty = (): Truth => ({ volunteer: 0, sanitation: 0, family: 0, other: 0, deducted: 0, redeemed: 0, reversed: 0, net: 0, outstanding: 0 });

/** Per month of `months`: the figures, and what the households held at the month's end. */
export function monthTruth(legs: Leg[], months: string[]): Truth[] {
  return months.map((m) => {
    const t = empty();
    for (const l of legs) {
      const lm = monthOfInstant(l.created_at);
      if (lm <= m) t.outstanding += l.amount;
      if (lm !== m) continue;
      t.net += l.amount;
      if (l.kind === "award") {
        const c = l.category ?? "";
        const g = c === "volunteer" || c === "sanitation" || c === "family" ? c : "other";
        t[g] += l.amount;
      } else if (l.kind === "deduction") t.deducted -= l.amount;
      else if (l.kind === "redemption") t.redeemed -= l.amount;
      else if (l.kind === "reversal") t.reversed += l.amount;
    }
    return t;
  });
}

/** Households (of `legs`, optionally one grid's) that had an award leg since `since`. */
export function earnedSince(legs: Leg[], since: number, grid?: number | null): number {
  return new Set(legs.filter((l) => l.kind === "award" && l.created_at >= since && (grid === undefined || l.grid_id === grid)).map((l) => l.account_id)).size;
}
