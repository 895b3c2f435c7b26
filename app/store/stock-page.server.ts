// The stock forms' action, shared by the keeper's stock page and the admin's good page.
import { data } from "@remix-run/node";
import { actorOf } from "~/platform/forms.server";
import type { Access } from "~/platform/access.server";
import { changeStock, goodIdSchema, goodOf, stockSchema } from "./goods.server";
import { fieldErrors } from "~/platform/validation.server";

export async function stockAction(access: Access, villageId: number, form: Record<string, string>, opts: { goodId?: number; storeIds?: number[] } = {}) {
  const goodIdFromUrl = opts.goodId;
  const id = goodIdFromUrl !== undefined ? { success: true as const, data: { goodId: goodIdFromUrl } } : goodIdSchema.safeParse(form);
  const parsed = stockSchema.safeParse(form);
  const intent = form.intent ?? "";
  if (!id.success) return data({ intent, errors: { _form: "请求有误，请刷新页面后再试" }, ok: null }, { status: 400 });
  const good = await goodOf(villageId, id.data.goodId);
  if (!good || (opts.storeIds && !opts.storeIds.includes(good.store_id))) throw new Response("找不到这个商品", { status: 404 });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent) errors._form = "请求有误，请刷新页面后再试";
    return data({ intent, errors, ok: null }, { status: 400 });
  }
  const out = await changeStock(actorOf(access), villageId, id.data.goodId, parsed.data);
  if (!out.ok) return data({ intent, errors: out.errors, ok: null }, { status: out.status ?? 400 });
  return data({ intent, errors: {} as Record<string, string>, ok: `已保存，现在库存 ${out.stock}` });
}
