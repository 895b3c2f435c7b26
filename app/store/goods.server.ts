// Goods of a store: the admin's catalogue (name, photo, category, price, cost, unit, monthly limit,
// active), and stock changes through movements (restock with a source, stock-take correction).
import { z } from "zod";
import type { ExpressionBuilder, Selectable } from "kysely";
import type { Database, GoodTable } from "../../db/schema";
import { fail, formIdSchema, checkboxSchema, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { constant, db, lockVillageStore, unitOfWork } from "~/platform/database.server";
import { cleanImage, GOODS } from "~/photos/clean.server";
import { moveStock, StockShortError } from "./stock.server";
import { normalizeDigits, textSchema } from "~/platform/validation.server";
import { CATEGORIES, NUMBER_LIMITS, RESTOCK_SOURCES, TEXT_LIMITS, UNITS } from "./labels";

export { CATEGORIES, UNITS };

/** A whole number in [min, max] typed in a form (full-width digits are read as digits); "" is null. */
function wholeNumber(label: string, [min, max]: readonly [number, number], s: string | undefined, ctx: z.RefinementCtx): number | null {
  const v = normalizeDigits(s ?? "");
  if (v === "") return null;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
    ctx.addIssue({ code: "custom", message: `${label}应为 ${min} 到 ${max} 的整数` });
    return z.NEVER;
  }
  return Number(v);
}

function intField(label: string, limits: readonly [number, number]) {
  return z
    .string()
    .optional()
    .transform((s, ctx): number => {
      const n = wholeNumber(label, limits, s, ctx);
      if (n !== null) return n;
      ctx.addIssue({ code: "custom", message: `请填写${label}` });
      return z.NEVER;
    });
}

function optionalIntField(label: string, limits: readonly [number, number]) {
  return z
    .string()
    .optional()
    .transform((s, ctx) => wholeNumber(label, limits, s, ctx));
}

/** Yuan with up to two decimals, kept as fen. */
const yuanField = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const v = normalizeDigits(s ?? "").replace(/[．。]/g, ".");
    if (v === "") {
      ctx.addIssue({ code: "custom", message: "请填写进价（元）" });
      return z.NEVER;
    }
    if (!/^\d{1,6}(\.\d{1,2})?$/.test(v)) {
      ctx.addIssue({ code: "custom", message: "进价应为金额，如 12.50（最多两位小数）" });
      return z.NEVER;
    }
    return Math.round(Number(v) * 100);
  });

export const goodSchema = z.object({
  name: textSchema("商品名称", TEXT_LIMITS.goodName),
  category: z.enum(CATEGORIES, { error: "请从列表中选择分类" }),
  unit: z.enum(UNITS, { error: "请从列表中选择单位" }),
  price: intField("兑换积分", NUMBER_LIMITS.price),
  cost: yuanField,
  monthlyLimit: optionalIntField("每户每月限兑", NUMBER_LIMITS.monthlyLimit),
  lowStock: intField("库存预警数", NUMBER_LIMITS.lowStock),
  active: checkboxSchema,
});
export type GoodFields = z.infer<typeof goodSchema>;

export const stockSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("stock.restock"),
    qty: intField("入库数量", NUMBER_LIMITS.restockQty),
    source: z.enum(RESTOCK_SOURCES, { error: "请选择来源" }),
    // Where the goods came from must be traceable at settlement and in 公示: the batch or the donor.
    note: textSchema("备注", TEXT_LIMITS.stockNote),
  }),
  z.object({
    intent: z.literal("stock.correct"),
    count: intField("盘点实数", NUMBER_LIMITS.stockCount),
    note: textSchema("盘点原因", TEXT_LIMITS.stockNote),
  }),
], { error: "请求有误，请刷新页面后再试" });

export const goodIdSchema = z.object({ goodId: formIdSchema });

/** A good as goodsWithStore reads it: its columns without the photo bytes, plus store name and photo flag. */
export type GoodView = Pick<
  Selectable<GoodTable>,
  "id" | "store_id" | "name" | "category" | "unit" | "price" | "cost_fen" | "monthly_limit" | "low_stock" | "stock" | "active" | "photo_version"
> & { store: string; has_photo: number };

/** 1 when the good has a photo: a number on every engine (a bare `is not null` is 0/1 on SQLite, a boolean on PostgreSQL). */
function hasPhoto(eb: ExpressionBuilder<Database & { g: GoodTable }, "g">) {
  return eb.case().when("g.photo", "is not", null).then(1).else(0).end().as("has_photo");
}

function goodsWithStore() {
  return db()
    .selectFrom("goods as g")
    .innerJoin("stores as s", "s.id", "g.store_id")
    .select((eb) => [
      "g.id", "g.store_id", "s.name as store", "g.name", "g.category", "g.unit", "g.price", "g.cost_fen", "g.monthly_limit", "g.low_stock",
      "g.stock", "g.active", "g.photo_version", hasPhoto(eb),
    ]);
}

export function villageGoods(villageId: number): Promise<GoodView[]> {
  return goodsWithStore().where("g.village_id", "=", villageId).orderBy("g.store_id").orderBy("g.active", "desc").orderBy("g.category").orderBy("g.id").execute();
}

/** The store's goods in shelf order: categories as listed in CATEGORIES, then by when they were added. */
export async function storeGoods(storeId: number, activeOnly: boolean): Promise<GoodView[]> {
  let q = goodsWithStore().where("g.store_id", "=", storeId);
  if (activeOnly) q = q.where("g.active", "=", constant(1));
  const rows = await q.orderBy("g.id").execute();
  const rank = (c: string) => (CATEGORIES as readonly string[]).indexOf(c);
  return rows.sort((a, b) => rank(a.category) - rank(b.category) || a.id - b.id);
}

export function goodOf(villageId: number, goodId: number): Promise<GoodView | undefined> {
  return goodsWithStore().where("g.id", "=", goodId).where("g.village_id", "=", villageId).executeTakeFirst();
}

export function isLow(g: { stock: number; low_stock: number }): boolean {
  return g.stock <= g.low_stock;
}

const PHOTO_TYPES = ["image/webp", "image/jpeg", "image/png"];
export const MAX_PHOTO_BYTES = 300 * 1024;
const PHOTO_TOO_BIG = "照片太大了（最大 300 KB），请先压缩或截图后再传";

export interface Photo {
  bytes: Buffer;
  type: string;
}

/**
 * Checks an uploaded photo by its first bytes, not by what the browser claims. Its bytes are still
 * the upload's: readGoodForm cleans them (cleanGoodPhoto) before anything is stored.
 */
export function sniffPhoto(bytes: Buffer): Photo | string {
  if (bytes.length === 0) return "请选择照片";
  if (bytes.length > MAX_PHOTO_BYTES) return PHOTO_TOO_BIG;
  const type =
    bytes.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])) ? "image/jpeg"
    : bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ? "image/png"
    : bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP" ? "image/webp"
    : null;
  if (!type || !PHOTO_TYPES.includes(type)) return "只能上传 JPG、PNG 或 WebP 照片";
  return { bytes, type };
}

function snapshot(g: GoodFields) {
  return { name: g.name, category: g.category, unit: g.unit, price: g.price, cost_fen: g.cost, monthly_limit: g.monthlyLimit, low_stock: g.lowStock, active: g.active };
}

/** Another active good of the store with the same name (the admin would not tell them apart). */
async function sameName(storeId: number, name: string, exceptId: number | null): Promise<boolean> {
  let q = db().selectFrom("goods").select("id").where("store_id", "=", storeId).where("name", "=", name).where("active", "=", constant(1));
  if (exceptId !== null) q = q.where("id", "<>", exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export function createGood(actor: StaffActor, villageId: number, storeId: number, g: GoodFields, photo: Photo | null): Promise<Outcome<{ goodId: number }>> {
  // Checked and written in one unit of work: two admins saving the same name at once make one good.
  return unitOfWork(async (): Promise<Outcome<{ goodId: number }>> => {
    const store = await db().selectFrom("stores").select("id").where("id", "=", storeId).where("village_id", "=", villageId).executeTakeFirst();
    if (!store) return fail("storeId", "请从列表中选择本村的超市");
    if (await sameName(storeId, g.name, null)) return fail("name", "这个超市已有同名商品");
    const at = now();
    const { id } = await db()
      .insertInto("goods")
      .values({
        village_id: villageId, store_id: storeId, name: g.name, category: g.category, unit: g.unit, price: g.price, cost_fen: g.cost, monthly_limit: g.monthlyLimit,
        low_stock: g.lowStock, active: g.active ? 1 : 0, photo: photo?.bytes ?? null, photo_type: photo?.type ?? null, photo_version: photo ? 1 : 0,
        photo_cleaned_at: photo ? at : null, created_at: at, updated_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "good.create", targetType: "good", targetId: id, after: snapshot(g) });
    return { ok: true, goodId: id };
  });
}

/** A price change only affects orders made from now on: orders keep their own item prices. */
export function updateGood(actor: StaffActor, villageId: number, goodId: number, g: GoodFields, photo: Photo | null): Promise<Outcome> {
  return unitOfWork(async (): Promise<Outcome> => {
    // Every column but the photo's bytes: what the audit log keeps as "before".
    const before = await db()
      .selectFrom("goods")
      .select([
        "id", "village_id", "store_id", "name", "category", "unit", "price", "cost_fen", "monthly_limit", "low_stock", "stock", "active",
        "photo_type", "photo_version", "photo_cleaned_at", "created_at", "updated_at",
      ])
      .where("id", "=", goodId)
      .where("village_id", "=", villageId)
      .executeTakeFirst();
    if (!before) return fail("_form", "找不到这个商品", 404);
    if (await sameName(before.store_id, g.name, goodId)) return fail("name", "这个超市已有同名商品");
    const at = now();
    let update = db()
      .updateTable("goods")
      .set({
        name: g.name, category: g.category, unit: g.unit, price: g.price, cost_fen: g.cost, monthly_limit: g.monthlyLimit, low_stock: g.lowStock,
        active: g.active ? 1 : 0, updated_at: at,
      })
      .where("id", "=", goodId);
    if (photo) update = update.set((eb) => ({ photo: photo.bytes, photo_type: photo.type, photo_version: eb("photo_version", "+", 1), photo_cleaned_at: at }));
    await update.execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "good.update", targetType: "good", targetId: goodId, before, after: { ...snapshot(g), photo: !!photo } });
    return { ok: true };
  });
}

export type StockInput = z.infer<typeof stockSchema>;

/** Restock (with its source) or a stock-take correction to the counted number (with a reason). */
export async function changeStock(actor: StaffActor, villageId: number, goodId: number, input: StockInput): Promise<Outcome<{ stock: number }>> {
  try {
    // A stock-take can lower the stock: with the village's other store writes, so no code is issued meanwhile.
    return await unitOfWork(async (): Promise<Outcome<{ stock: number }>> => {
      await lockVillageStore(villageId);
      const good = await db().selectFrom("goods").select("stock").where("id", "=", goodId).where("village_id", "=", villageId).executeTakeFirst();
      if (!good) return fail("_form", "找不到这个商品", 404);
      const current = good.stock;
      const after =
        input.intent === "stock.restock"
          ? await moveStock({ villageId, goodId, kind: "restock", delta: input.qty, source: input.source, note: input.note, actorUserId: actor.userId })
          : input.count === current
            ? current
            : await moveStock({ villageId, goodId, kind: "correction", delta: input.count - current, note: input.note, actorUserId: actor.userId });
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: input.intent, targetType: "good", targetId: goodId,
        before: { stock: current }, after: { stock: after, ...(input.intent === "stock.restock" ? { source: input.source } : {}), note: input.note },
      });
      return { ok: true, stock: after };
    }, { perVillage: true });
  } catch (e) {
    if (e instanceof StockShortError) return fail("qty", e.message);
    throw e;
  }
}

/** A good's photo and its village (who may see it), or undefined when it has none. */
export async function goodPhoto(goodId: number): Promise<{ photo: Buffer; type: string; version: number; village_id: number } | undefined> {
  const g = await db().selectFrom("goods").select(["photo", "photo_type", "photo_version", "village_id"]).where("id", "=", goodId).executeTakeFirst();
  if (!g?.photo || !g.photo_type) return undefined;
  return { photo: g.photo, type: g.photo_type, version: g.photo_version, village_id: g.village_id };
}

/** Reads the good form (multipart: fields and an optional photo file). */
export async function readGoodForm(form: FormData): Promise<{ fields: Record<string, string>; parsed: ReturnType<typeof goodSchema.safeParse>; photo: Photo | null; photoError: string | null }> {
  const fields: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string" && !(k in fields)) fields[k] = v;
  const parsed = goodSchema.safeParse(fields);
  const file = form.get("photo");
  let photo: Photo | null = null;
  let photoError: string | null = null;
  if (file && typeof file !== "string" && file.size > 0) {
    const sniffed = file.size > MAX_PHOTO_BYTES ? PHOTO_TOO_BIG : sniffPhoto(Buffer.from(await file.arrayBuffer()));
    if (typeof sniffed === "string") photoError = sniffed;
    else {
      photo = await cleanGoodPhoto(sniffed.bytes);
      if (!photo) photoError = "这张照片无法识别，请换一张";
    }
  }
  return { fields, parsed, photo, photoError };
}

/** A good's picture re-encoded without metadata (GPS included) and shrunk; null when it cannot be decoded. */
export async function cleanGoodPhoto(bytes: Buffer): Promise<Photo | null> {
  const clean = await cleanImage(bytes, GOODS);
  return clean ? { bytes: clean, type: GOODS.mime } : null;
}
