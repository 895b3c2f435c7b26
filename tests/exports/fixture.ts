// A village with a bit of everything an export holds, spread over February to April 2026 (China
// time), built through the app's own modules: awards and deductions, claims through review, 公示,
// objections and credit, orders confirmed and voided, a settled month. Names and notes that a CSV
// must quote (comma, quote, line break) and text that looks like a formula. A second village with
// its own points, which a village's export must leave out.
import { approveClaim, creditDueClaims, fileClaimBatch, objectToClaim, rejectClaim, resolveObjection } from "~/claims/claims.server";
import { award, deduct } from "~/ledger/ledger.server";
import { createHousehold } from "~/people/households.server";
import { insertUser } from "~/people/users.server";
import { clockControl } from "~/platform/clock.server";
import { insertRule } from "~/rules/rules.server";
import { confirmOrder, createOrder } from "~/store/checkout.server";
import { voidOrder } from "~/store/order-void.server";
import { settleMonth } from "~/store/reports.server";
import { codeOf, headOf, storeFixture } from "../store/fixture";
import { sqlOn } from "../support/sql";

/** 2026-mm-dd hh:mm China time, as epoch ms. */
export const china = (month: number, day: number, hour = 10, minute = 0) => Date.UTC(2026, month - 1, day, hour - 8, minute);

/** A member's name a CSV must quote: a comma, a quote and a line break. */
export const ODD_NAME = '李"小,梅\n二';
/** Notes a spreadsheet would run as formulas. */
export const FORMULAS = ["=1+2", "@SUM(A1)", "+3", "-4", '=HYPERLINK("http://x","点我")'];

export const RANGE = { from: "2026-03-01", to: "2026-03-31" };

let seq = 0;
const phone = () => `1370000${String(++seq).padStart(4, "0")}`;

export async function exportVillage(tag: string) {
  clockControl.set(china(2, 10));
  const store = await storeFixture(tag, { households: 2, points: [0, 0], goods: [{ name: "大米", price: 30, stock: 50 }, { name: "香皂, 大块", price: 5, stock: 50 }] });
  const { villageId } = store;
  const odd = await createHousehold({ villageId, gridId: null, number: "099", address: '南街"3"号, 东', members: [{ name: ODD_NAME, relation: "户主" }] });
  const oddAccount = (await sqlOn().value<number>("select id from accounts where household_id = ?", odd.householdId))!;
  const user = (name: string, roles: ("committee" | "household_head")[], memberId: number | null) =>
    insertUser({ phone: phone(), passwordHash: "x", displayName: name, memberId, mustChangePassword: false, roles: roles.map((role) => ({ role, villageId })) });
  const oddHead = await user(ODD_NAME, ["household_head"], odd.memberIds[0]);
  const c1 = await user("村委甲", ["committee"], null);
  const c2 = await user("村委乙", ["committee"], null);
  const sweep = await insertRule(villageId, { category: "volunteer", name: "清扫公共道路", points: 5, unit: "time", evidenceRequired: false, caps: {} });
  const [h0, h1] = store.householdIds;
  const system = { userId: null, role: "system" };

  // February: before the range.
  await award({ householdId: h0, amount: 100, idemKey: `${tag}:feb0`, actor: system, memo: "二月奖励" });
  await award({ householdId: h1, amount: 80, idemKey: `${tag}:feb1`, actor: system, memo: "二月奖励" });
  await award({ householdId: odd.householdId, amount: 60, idemKey: `${tag}:febodd`, actor: system, memo: "二月奖励" });
  // March: in the range, the first and last minutes of it too.
  clockControl.set(china(3, 1, 0, 0));
  await award({ householdId: h0, amount: 7, idemKey: `${tag}:mar-first`, actor: system, memo: FORMULAS[0] });
  clockControl.set(china(3, 5));
  for (const [i, memo] of FORMULAS.slice(1).entries()) await award({ householdId: odd.householdId, amount: 1 + i, idemKey: `${tag}:f${i}`, actor: system, memo });
  await deduct({ householdId: h1, amount: 9, idemKey: `${tag}:ded`, actor: { userId: c1, role: "committee" }, memo: "乱扔垃圾，扣分" });
  // Claims: one credited after a dismissed objection, one rejected, one still waiting; notes to quote and guard.
  const file = (memberId: number, note: string) =>
    fileClaimBatch({ villageId, filer: { userId: oddHead, role: "household_head" }, items: [{ memberId, ruleId: sweep, occurredAt: china(3, 4), quantity: 1, note, photos: [] }] }).then((ids) => ids[0]);
  const credited = await file(odd.memberIds[0], "打扫村口,还有\"后街\"\n两处");
  const rejected = await file(odd.memberIds[0], FORMULAS[4]);
  const waiting = await file(odd.memberIds[0], "@还在审核");
  await approveClaim(villageId, credited, { userId: c1, role: "committee" });
  const neighbour = await user("邻居", ["household_head"], await headOf(h0));
  const objection = await objectToClaim(villageId, credited, neighbour, "那天下雨, 没扫");
  await resolveObjection(villageId, objection, { userId: c2, role: "committee" }, "dismiss", "有照片为证");
  await rejectClaim(villageId, rejected, { userId: c2, role: "committee" }, "重复申报");
  clockControl.set(china(3, 20));
  await creditDueClaims();
  // Orders: two handed over (one later voided), in March.
  const sell = async (h: number, good: string, qty: number, nonce: string) => {
    const o = await createOrder({ householdId: h, memberId: null, userId: store.villagerUserId, storeId: store.storeId, lines: [{ goodId: store.goods[good], qty }], nonce });
    if (!o.ok) throw new Error(o.message);
    const c = await confirmOrder(store.keeper, o.orderId, await codeOf(o.orderId));
    if (!c.ok) throw new Error(c.message);
    return o.orderId;
  };
  const sold = await sell(h0, "大米", 2, `${tag}a`);
  const voided = await sell(h1, "香皂, 大块", 3, `${tag}b`);
  await voidOrder({ userId: store.keeper.userId, role: "store_keeper", villageId }, voided, "拿错了");
  clockControl.set(china(3, 31, 23, 59));
  await award({ householdId: h1, amount: 11, idemKey: `${tag}:mar-last`, actor: system, memo: "三月最后一分钟" });
  // April: after the range (00:00 of 1 April is already April); March is settled.
  clockControl.set(china(4, 1, 0, 0));
  await award({ householdId: h0, amount: 13, idemKey: `${tag}:apr`, actor: system, memo: "四月奖励" });
  const settled = await settleMonth({ ...store.committee }, store.storeId, "2026-03");
  if (!settled.ok) throw new Error(JSON.stringify(settled.errors));
  clockControl.reset();
  return { ...store, odd, oddAccount, oddHead, committee1: c1, committee2: c2, claims: { credited, rejected, waiting }, orders: { sold, voided } };
}

export type ExportVillage = Awaited<ReturnType<typeof exportVillage>>;
