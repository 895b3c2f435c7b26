// 消息 from the store and activities: an order confirmed (by code or at the counter) or voided, a PIN
// lockout, an activity cancelled: the household's logins, once each.
import { afterEach, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { insertUser } from "~/people/users.server";
import { cancelActivity } from "~/activities/activities.server";
import { signUp } from "~/activities/signups.server";
import { confirmOrder, createOrder, type Result } from "~/store/checkout.server";
import { counterCheckout } from "~/store/counter.server";
import { voidOrder } from "~/store/order-void.server";
import { setPin } from "~/store/pin.server";
import { activityVillage, newActivity } from "../activities/fixture";
import { headOf, raw, storeFixture } from "../store/fixture";
import { sqlOn } from "../support/sql";

afterEach(() => clockControl.reset());

let phones = 13600000000;
async function secondLogin(memberId: number, villageId: number): Promise<number> {
  return insertUser({ phone: String(++phones), passwordHash: "x", displayName: "家人", memberId, mustChangePassword: false, roles: [{ role: "villager", villageId }] });
}
const kinds = async (userId: number) => (await sqlOn().all<{ kind: string }>("select kind from notifications where user_id = ? order by id", userId)).map((r) => r.kind);
const inbox = (userId: number) => sqlOn().all("select kind, link from notifications where user_id = ? order by id", userId);

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r as T;
}

describe("store and activities", () => {
  it("order confirmed, voided, counter sale, PIN lockout: the household's logins", async () => {
    clockControl.set(Date.UTC(2026, 10, 10, 2));
    const f = await storeFixture("nt7", { points: [500, 0, 0] });
    const h = f.householdIds[0];
    const head = await headOf(h);
    const login = await secondLogin(head, f.villageId);
    const { orderId } = ok(await createOrder({ householdId: h, memberId: head, userId: login, storeId: f.storeId, lines: [{ goodId: f.goods["大米"], qty: 1 }], nonce: "nt7" }));
    expect(await kinds(login)).toEqual([]);
    const code = (await raw().value<string>("select code from orders where id = ?", orderId))!;
    const both = await Promise.all([confirmOrder(f.keeper, orderId, code), confirmOrder(f.keeper, orderId, code)]);
    expect(both.every((r) => r.ok)).toBe(true);
    expect(await inbox(login)).toMatchObject([{ kind: "order.confirmed", link: `/store/orders/${orderId}` }]);
    ok(await voidOrder({ userId: f.keeper.userId, role: "store_keeper", villageId: f.villageId }, orderId, "村民退回"));
    ok(await voidOrder({ userId: f.keeper.userId, role: "store_keeper", villageId: f.villageId }, orderId, "村民退回"));
    expect(await kinds(login)).toEqual(["order.confirmed", "order.voided"]);

    await setPin({ userId: login, role: "household_head", villageId: f.villageId }, h, f.villageId, "135790");
    const sale = (pin: string, n: string) => counterCheckout(f.keeper, { householdId: h, memberId: head, storeId: f.storeId, lines: [{ goodId: f.goods["牙膏"], qty: 1 }], pin, nonce: n });
    ok(await sale("135790", "c1"));
    ok(await sale("135790", "c1")); // the same sale replayed
    expect(await kinds(login)).toEqual(["order.confirmed", "order.voided", "order.confirmed"]);
    for (let i = 0; i < 5; i++) await sale("000001", `w${i}`);
    expect((await kinds(login)).filter((k) => k === "pin.locked")).toHaveLength(1);
    // Other households heard nothing.
    expect(Number(await sqlOn().value("select count(*) from notifications where user_id <> ? and village_id = ?", login, f.villageId))).toBe(0);
  });

  it("activity cancelled: the signed-up households only, once", async () => {
    const v = await activityVillage("NT8", 3);
    const id = await newActivity(v);
    const [a, b] = v.villagers;
    for (const p of [a, b]) {
      const out = await signUp({ userId: p.userId, householdId: p.householdId, villageId: v.villageId }, id, p.memberId);
      expect(out.ok).toBe(true);
    }
    const out = await signUp({ userId: a.userId, householdId: a.householdId, villageId: v.villageId }, id, v.elder);
    expect(out.ok).toBe(true);
    const actor = { userId: v.committee, role: "committee" as const, villageId: v.villageId };
    expect((await cancelActivity(actor, v.villageId, id, "下大雨")).ok).toBe(true);
    expect((await cancelActivity(actor, v.villageId, id, "下大雨")).ok).toBe(false);
    expect(await inbox(a.userId)).toMatchObject([{ kind: "activity.cancelled", link: `/activities/${id}` }]);
    expect(await kinds(b.userId)).toEqual(["activity.cancelled"]);
    expect(await kinds(v.villagers[2].userId)).toEqual([]);
  });
});

