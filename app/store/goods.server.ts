// Goods of a store: the admin's catalogue (name, photo, category, price, cost, unit, monthly limit,
// active), and stock changes through movements (restock with a source, stock-take correction).
import { z } from "zod";
import type { Selectable } from "kysely";
import type { GoodTable } from "../../db/schema";
import { fail, formIdSchema, checkboxSchema, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { cleanImage, GOODS } from "~/photos/clean.server";
import { moveStock, RESTOCK_SOURCES, StockShortError } from "./stock.server";
import { normalizeDigits, textSchema } from "~/platform/validation.server";

export const CATEGORIES = ["粮油", "调味", "日用", "洗护", "副食", "其他"] as const;
export const UNITS = ["件", "袋", "瓶", "桶", "包", "盒", "块", "条", "支", "提", "卷", "板", "本", "个", "斤"] as const;

function intField(label: string, min: number, max: number, optional: boolean) {
  return z
    .string()
    .optional()
    .transform((s, ctx) => {
      const v = normalizeDigits(s ?? "");
      if (v === "") {
        if (optional) return null;
        ctx.addIssue({ code: "custom", message: `请填写${label}` });
        return z.NEVER;
      }
      if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
        ctx.addIssue({ code: "custom", message: `${label}应为 ${min} 到 ${max} 的整数` });
        return z.NEVER;
      }
      return Number(v);
    });
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
  name: textSchema("商品名称", 30),
  category: z.enum(CATEGORIES, { error: "请从列表中选择分类" }),
  unit: z.enum(UNITS, { error: "请从列表中选择单位" }),
  price: intField("兑换积分", 1, 100_000, false),
  cost: yuanField,
  monthlyLimit: intField("每户每月限兑", 1, 999, true),
  lowStock: intField("库存预警数", 0, 9999, false),
  active: checkboxSchema,
});
export type GoodFields = z.infer<typeof goodSchema>;

export const stockSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("stock.restock"),
    qty: intField("入库数量", 1, 99_999, false),
    source: z.enum(RESTOCK_SOURCES, { error: "请选择来源" }),
    // Where the goods came from must be traceable at settlement and in 公示: the batch or the donor.
    note: textSchema("备注", 100),
  }),
  z.object({
    intent: z.literal("stock.correct"),
    count: intField("盘点实数", 0, 99_999, false),
    note: textSchema("盘点原因", 100),
  }),
], { error: "请求有误，请刷新页面后再试" });

export const goodIdSchema = z.object({ goodId: formIdSchema });

/** A good as GOOD_COLUMNS reads it: its columns without the photo bytes, plus store name and photo flag. */
export type GoodView = Pick<
  Selectable<GoodTable>,
  "id" | "store_id" | "name" | "category" | "unit" | "price" | "cost_fen" | "monthly_limit" | "low_stock" | "stock" | "active" | "photo_version"
> & { store: string; has_photo: number };

const GOOD_COLUMNS = `g.id, g.store_id, s.name as store, g.name, g.category, g.unit, g.price, g.cost_fen, g.monthly_limit, g.low_stock,
  g.stock, g.active, g.photo_version, g.photo is not null as has_photo`;

export function villageGoods(villageId: number): GoodView[] {
  return stmt(`select ${GOOD_COLUMNS} from goods g join stores s on s.id = g.store_id where g.village_id = ? order by g.store_id, g.active desc, g.category, g.id`).all(
    villageId,
  ) as GoodView[];
}

/** The store's goods in shelf order: categories as listed in CATEGORIES, then by when they were added. */
export function storeGoods(storeId: number, activeOnly: boolean): GoodView[] {
  const rows = stmt(`select ${GOOD_COLUMNS} from goods g join stores s on s.id = g.store_id where g.store_id = ? ${activeOnly ? "and g.active = 1" : ""} order by g.id`).all(
    storeId,
  ) as GoodView[];
  const rank = (c: string) => (CATEGORIES as readonly string[]).indexOf(c);
  return rows.sort((a, b) => rank(a.category) - rank(b.category) || a.id - b.id);
}

export function goodOf(villageId: number, goodId: number): GoodView | undefined {
  return stmt(`select ${GOOD_COLUMNS} from goods g join stores s on s.id = g.store_id where g.id = ? and g.village_id = ?`).get(goodId, villageId) as GoodView | undefined;
}

export function isLow(g: { stock: number; low_stock: number }): boolean {
  return g.stock <= g.low_stock;
}

const PHOTO_TYPES = ["image/webp", "image/jpeg", "image/png"];
export const MAX_PHOTO_BYTES = 300 * 1024;

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
  if (bytes.length > MAX_PHOTO_BYTES) return "照片太大了（最大 300 KB），请先压缩或截图后再传";
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

export function createGood(actor: StaffActor, villageId: number, storeId: number, g: GoodFields, photo: Photo | null): Outcome<{ goodId: number }> {
  if (!stmt("select 1 from stores where id = ? and village_id = ?").get(storeId, villageId)) return fail("storeId", "请从列表中选择本村的超市");
  if (stmt("select 1 from goods where store_id = ? and name = ? and active = 1").get(storeId, g.name)) return fail("name", "这个超市已有同名商品");
  const goodId = transact(() => {
    const at = now();
    const id = Number(
      stmt(
        `insert into goods (village_id, store_id, name, category, unit, price, cost_fen, monthly_limit, low_stock, active, photo, photo_type, photo_version, photo_cleaned_at, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(villageId, storeId, g.name, g.category, g.unit, g.price, g.cost, g.monthlyLimit, g.lowStock, g.active ? 1 : 0, photo?.bytes ?? null, photo?.type ?? null, photo ? 1 : 0, photo ? at : null, at, at).lastInsertRowid,
    );
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "good.create", targetType: "good", targetId: id, after: snapshot(g) });
    return id;
  });
  return { ok: true, goodId };
}

/** A price change only affects orders made from now on: orders keep their own item prices. */
export function updateGood(actor: StaffActor, villageId: number, goodId: number, g: GoodFields, photo: Photo | null): Outcome {
  const before = stmt("select * from goods where id = ? and village_id = ?").get(goodId, villageId) as Record<string, unknown> | undefined;
  if (!before) return fail("_form", "找不到这个商品", 404);
  if (stmt("select 1 from goods where store_id = ? and name = ? and active = 1 and id <> ?").get(before.store_id, g.name, goodId)) return fail("name", "这个超市已有同名商品");
  transact(() => {
    stmt(
      `update goods set name = ?, category = ?, unit = ?, price = ?, cost_fen = ?, monthly_limit = ?, low_stock = ?, active = ?, updated_at = ? where id = ?`,
    ).run(g.name, g.category, g.unit, g.price, g.cost, g.monthlyLimit, g.lowStock, g.active ? 1 : 0, now(), goodId);
    if (photo) stmt("update goods set photo = ?, photo_type = ?, photo_version = photo_version + 1, photo_cleaned_at = ? where id = ?").run(photo.bytes, photo.type, now(), goodId);
    const { photo: _p, ...rest } = before;
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "good.update", targetType: "good", targetId: goodId, before: rest, after: { ...snapshot(g), photo: !!photo } });
  });
  return { ok: true };
}

export type StockInput = z.infer<typeof stockSchema>;

/** Restock (with its source) or a stock-take correction to the counted number (with a reason). */
export function changeStock(actor: StaffActor, villageId: number, goodId: number, input: StockInput): Outcome<{ stock: number }> {
  const good = stmt("select stock from goods where id = ? and village_id = ?").get(goodId, villageId) as { stock: number } | undefined;
  if (!good) return fail("_form", "找不到这个商品", 404);
  try {
    const stock = transact(() => {
      const current = (stmt("select stock from goods where id = ?").get(goodId) as { stock: number }).stock;
      const after =
        input.intent === "stock.restock"
          ? moveStock({ villageId, goodId, kind: "restock", delta: input.qty!, source: input.source, note: input.note, actorUserId: actor.userId })
          : input.count === current
            ? current
            : moveStock({ villageId, goodId, kind: "correction", delta: input.count! - current, note: input.note, actorUserId: actor.userId });
      audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: input.intent, targetType: "good", targetId: goodId,
        before: { stock: current }, after: { stock: after, ...(input.intent === "stock.restock" ? { source: input.source } : {}), note: input.note },
      });
      return after;
    });
    return { ok: true, stock };
  } catch (e) {
    if (e instanceof StockShortError) return fail("qty", e.message);
    throw e;
  }
}

export function goodPhoto(goodId: number): { photo: Buffer; type: string; version: number; village_id: number } | undefined {
  return stmt("select photo, photo_type as type, photo_version as version, village_id from goods where id = ? and photo is not null").get(goodId) as
    | { photo: Buffer; type: string; version: number; village_id: number }
    | undefined;
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
    const sniffed = file.size > MAX_PHOTO_BYTES ? "照片太大了（最大 300 KB），请先压缩或截图后再传" : sniffPhoto(Buffer.from(await file.arrayBuffer()));
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
