// The keeper's desk: turns a keeper's access into the checkout module's Keeper, and reads what the
// scan and counter pages show about a household.
import { z } from "zod";
import { formIdSchema } from "~/platform/forms.server";
import type { Keeper } from "./checkout.server";
import { householdBalance } from "~/ledger/ledger.server";
import { pinSchema, pinState } from "./pin.server";
import type { KeeperCtx } from "./access.server";
import { TEXT_LIMITS } from "./labels";

export function keeperOf(ctx: KeeperCtx): Keeper {
  return { userId: ctx.userId, role: ctx.role, villageId: ctx.villageId, storeIds: ctx.stores.map((s) => s.id) };
}

export const scanIntentSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("lookup"),
      code: z.string({ error: "请输入 8 位兑换码" }).max(TEXT_LIMITS.code, "这不是积分超市的兑换码，请扫描村民手机上的兑换码").refine((s) => s.trim() !== "", "请输入 8 位兑换码"),
      via: z.enum(["typed", "camera", "photo"]).catch("typed"),
    }),
    z.object({ intent: z.literal("confirm"), orderId: formIdSchema, code: z.string().max(TEXT_LIMITS.code).catch("") }),
  ],
  { error: "请求有误，请刷新页面后再试" },
);

export async function householdMoney(householdId: number) {
  const b = await householdBalance(householdId);
  return { spendable: b.spendable, balance: b.balance, lock: (await pinState(householdId)).lockedUntil };
}

export const counterSellSchema = z.object({
  householdId: formIdSchema,
  storeId: formIdSchema,
  nonce: z.string({ error: "请求有误，请刷新页面后再试" }).regex(/^[A-Za-z0-9_-]{16,40}$/, "请求有误，请刷新页面后再试"),
  memberId: z
    .string({ error: "请选择兑换人" })
    .regex(/^\d{1,12}$/, "请选择兑换人")
    .transform(Number),
  // A malformed PIN is refused before anything is counted; only well-formed wrong PINs count toward the lock.
  pin: pinSchema,
});

export const counterQuerySchema = z.object({
  household: z.string().nullish().transform((s) => (s && /^\d{1,12}$/.test(s) ? Number(s) : null)),
  number: z.string().nullish().transform((s) => (s ?? "").trim().slice(0, TEXT_LIMITS.cardNumber)),
});
