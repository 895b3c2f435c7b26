// Checklist templates (检查表) kept by the village admin: items with a maximum score, and tiers by
// total, each mapped to a rule of the village's catalogue (points plus or minus). A round copies the template
// whole when it is created, so editing a template never changes a round already under way.
import type { Selectable } from "kysely";
import { z } from "zod";
import type { ChecklistTable } from "../../db/schema";
import { fail, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork, type Db } from "~/platform/database.server";
import { ITEM_ROWS, maxTotal, SANITATION_MAX, TIER_ROWS, type ChecklistItem, type ChecklistSpec, type ChecklistTier } from "./labels";
import { normalizeDigits, textSchema } from "~/platform/validation.server";
import { notPostAllowance } from "~/rules/rules.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";

export interface ChecklistRow {
  id: number;
  village_id: number;
  name: string;
  items: ChecklistItem[];
  tiers: ChecklistTier[];
  active: number;
  updated_at: number;
}

const CHECKLIST_COLUMNS = ["id", "village_id", "name", "items_json", "tiers_json", "active", "updated_at"] as const;

// The JSON columns are written only by this module (from a checked ChecklistSpec).
const parse = (r: Pick<Selectable<ChecklistTable>, (typeof CHECKLIST_COLUMNS)[number]>): ChecklistRow => ({
  id: r.id, village_id: r.village_id, name: r.name, items: JSON.parse(r.items_json), tiers: JSON.parse(r.tiers_json), active: r.active, updated_at: r.updated_at,
});

export async function listChecklists(villageId: number, activeOnly = false): Promise<ChecklistRow[]> {
  let q = db().selectFrom("checklists").select(CHECKLIST_COLUMNS).where("village_id", "=", villageId);
  if (activeOnly) q = q.where("active", "=", constant(1));
  const rows = await q.orderBy("active", "desc").orderBy("id").execute();
  return rows.map(parse);
}

export async function checklistIn(villageId: number, id: number): Promise<ChecklistRow | null> {
  const row = await db().selectFrom("checklists").select(CHECKLIST_COLUMNS).where("id", "=", id).where("village_id", "=", villageId).executeTakeFirst();
  return row ? parse(row) : null;
}

/** Rules a tier may pay or deduct by: the village's active 环境卫生 and 村规民约 rules, per time. */
export function tierRuleChoices(villageId: number) {
  return db()
    .selectFrom("rules")
    .select(["id", "name", "points", "category"])
    .where("village_id", "=", villageId)
    .where("active", "=", constant(1))
    .where("unit", "=", "time")
    .where("category", "in", ["sanitation", "village_rules"])
    .where(notPostAllowance)
    .orderBy("category")
    .orderBy("points", "desc")
    .orderBy("id")
    .execute();
}

export type TierRuleChoice = Awaited<ReturnType<typeof tierRuleChoices>>[number];

// ---- the form ----------------------------------------------------------------------

const intSchema = (message: string, digits: number, lo: number, hi: number) =>
  z
    .string()
    .optional()
    .transform((s) => normalizeDigits(s ?? ""))
    .pipe(z.string().regex(new RegExp(`^\\d{1,${digits}}$`), message).transform(Number).pipe(z.number().min(lo, message).max(hi, message)));

const itemNameSchema = textSchema("检查项目", SANITATION_MAX.itemName, false);
const tierNameSchema = textSchema("档次名称", SANITATION_MAX.tierName, false);
const ITEM_MAX = "满分应为 1 到 100 的整数";
const TIER_MIN = "起评分应为 0 到 1000 的整数";

/** The template form: name, up to ITEM_ROWS item rows and TIER_ROWS tier rows; empty rows are skipped. */
export async function checklistFromForm(villageId: number, raw: Record<string, string>): Promise<{ ok: true; spec: ChecklistSpec } | { ok: false; errors: Record<string, string> }> {
  const errors: Record<string, string> = {};
  const name = textSchema("检查表名称", SANITATION_MAX.checklistName).safeParse(raw.name ?? "");
  if (!name.success) errors.name = name.error.issues[0].message;
  const items: ChecklistItem[] = [];
  for (let i = 0; i < ITEM_ROWS; i++) {
    const n = itemNameSchema.safeParse(raw[`item${i}Name`] ?? "");
    if (!n.success) {
      errors[`item${i}Name`] = n.error.issues[0].message;
      continue;
    }
    const maxText = (raw[`item${i}Max`] ?? "").trim();
    if (!n.data && !maxText) continue;
    if (!n.data) {
      errors[`item${i}Name`] = "请填写检查项目";
      continue;
    }
    if (items.some((x) => x.name === n.data)) errors[`item${i}Name`] = "检查项目不能重名";
    const max = intSchema(ITEM_MAX, SANITATION_MAX.itemMaxDigits, 1, 100).safeParse(raw[`item${i}Max`]);
    if (!max.success) errors[`item${i}Max`] = maxText ? ITEM_MAX : "请填写满分";
    else items.push({ name: n.data, max: max.data });
  }
  if (items.length === 0 && !Object.keys(errors).some((k) => k.startsWith("item"))) errors.item0Name = "至少要有一个检查项目";
  const total = maxTotal(items);
  const itemsValid = !Object.keys(errors).some((k) => k.startsWith("item"));
  const rules = new Map((await tierRuleChoices(villageId)).map((r) => [r.id, r]));
  const tiers: ChecklistTier[] = [];
  for (let i = 0; i < TIER_ROWS; i++) {
    const n = tierNameSchema.safeParse(raw[`tier${i}Name`] ?? "");
    if (!n.success) {
      errors[`tier${i}Name`] = n.error.issues[0].message;
      continue;
    }
    const minText = (raw[`tier${i}Min`] ?? "").trim();
    const ruleText = raw[`tier${i}Rule`] ?? "";
    if (!n.data && !minText && !ruleText) continue;
    if (!n.data) {
      errors[`tier${i}Name`] = "请填写档次名称";
      continue;
    }
    if (tiers.some((t) => t.name === n.data)) errors[`tier${i}Name`] = "档次不能重名";
    const min = intSchema(TIER_MIN, SANITATION_MAX.tierMinDigits, 0, 1000).safeParse(raw[`tier${i}Min`]);
    // Every tier pays or deducts by a rule (rules never carry 0 points): publishing files one claim per scored household.
    let ruleId: number | null = null;
    const id = /^\d{1,12}$/.test(ruleText) ? Number(ruleText) : NaN;
    if (ruleText === "") errors[`tier${i}Rule`] = `请给“${n.data}”选一条积分细则（加分或扣分）`;
    else if (!rules.has(id)) errors[`tier${i}Rule`] = "请从列表中选择本村的环境卫生或村规民约细则";
    else ruleId = id;
    if (!min.success) errors[`tier${i}Min`] = minText ? TIER_MIN : "请填写起评分";
    // Compared with the full marks only when every item row is valid (else the sum is not what the admin meant).
    else if (itemsValid && total > 0 && min.data > total) errors[`tier${i}Min`] = `起评分不能高于满分合计 ${total}`;
    else if (tiers.some((t) => t.min === min.data)) errors[`tier${i}Min`] = "每个档次的起评分要不同";
    else tiers.push({ name: n.data, min: min.data, ruleId });
  }
  if (tiers.length === 0 && !Object.keys(errors).some((k) => k.startsWith("tier"))) errors.tier0Name = "至少要有一个档次";
  else if (tiers.length > 0 && !tiers.some((t) => t.min === 0)) errors._tiers = "最低的档次起评分应为 0（如 不合格 0 分起），每个总分都要落在某个档次里";
  if (Object.keys(errors).length) return { ok: false, errors };
  tiers.sort((a, b) => b.min - a.min);
  return { ok: true, spec: { name: name.success ? name.data : "", items, tiers } };
}

/** What the form shows for a template (or an empty one): flat field values. */
export function checklistFormValues(c: Pick<ChecklistSpec, "name" | "items" | "tiers"> | null): Record<string, string> {
  const out: Record<string, string> = { name: c?.name ?? "" };
  c?.items.forEach((it, i) => {
    out[`item${i}Name`] = it.name;
    out[`item${i}Max`] = String(it.max);
  });
  c?.tiers.forEach((t, i) => {
    out[`tier${i}Name`] = t.name;
    out[`tier${i}Min`] = String(t.min);
    out[`tier${i}Rule`] = t.ruleId === null ? "" : String(t.ruleId);
  });
  return out;
}

// ---- writes ---------------------------------------------------------------------------

async function insertRow(tx: Db, villageId: number, spec: ChecklistSpec, createdBy: number | null): Promise<number> {
  const at = now();
  const row = await tx
    .insertInto("checklists")
    .values({ village_id: villageId, name: spec.name, items_json: JSON.stringify(spec.items), tiers_json: JSON.stringify(spec.tiers), created_by: createdBy, created_at: at, updated_at: at })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A template as it is (the demo's seed): no form, no audit. */
export function insertChecklist(villageId: number, spec: ChecklistSpec, createdBy: number | null): Promise<number> {
  return unitOfWork((tx) => insertRow(tx, villageId, spec, createdBy));
}

export const checklistIntent = z.object({ intent: z.enum(["checklist.save", "checklist.retire", "checklist.restore"], { error: BAD_REQUEST }) });

/** Another active template of the village with this name (names tell templates apart in the round form). */
async function nameTaken(tx: Db, villageId: number, name: string, exceptId: number | null): Promise<boolean> {
  let q = tx.selectFrom("checklists").select("id").where("village_id", "=", villageId).where("name", "=", name).where("active", "=", constant(1));
  if (exceptId !== null) q = q.where("id", "<>", exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Creates (id null) or updates a template from the form. */
export async function saveChecklist(actor: StaffActor, villageId: number, id: number | null, raw: Record<string, string>): Promise<Outcome<{ id: number }>> {
  const parsed = await checklistFromForm(villageId, raw);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, status: 400 };
  const { spec } = parsed;
  return unitOfWork(async (tx): Promise<Outcome<{ id: number }>> => {
    if (await nameTaken(tx, villageId, spec.name, id)) return fail("name", "已经有同名的在用检查表");
    if (id === null) {
      const newId = await insertRow(tx, villageId, spec, actor.userId);
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "checklist.create", targetType: "checklist", targetId: newId, after: spec });
      return { ok: true, id: newId };
    }
    const before = await checklistIn(villageId, id);
    if (!before) return fail("_form", "找不到这张检查表", 404);
    await tx
      .updateTable("checklists")
      .set({ name: spec.name, items_json: JSON.stringify(spec.items), tiers_json: JSON.stringify(spec.tiers), updated_at: now() })
      .where("id", "=", id)
      .execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "checklist.update", targetType: "checklist", targetId: id, before: { name: before.name, items: before.items, tiers: before.tiers }, after: spec });
    return { ok: true, id };
  });
}

/** Retired templates stay (rounds point at them) but are not offered for new rounds. */
export function setChecklistActive(actor: StaffActor, villageId: number, id: number, active: boolean): Promise<Outcome<{ id: number }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ id: number }>> => {
    const c = await checklistIn(villageId, id);
    if (!c) return fail("_form", "找不到这张检查表", 404);
    if (active && (await nameTaken(tx, villageId, c.name, id))) return fail("_form", "已经有同名的在用检查表，请先改名");
    await tx.updateTable("checklists").set({ active: active ? 1 : 0, updated_at: now() }).where("id", "=", id).execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: active ? "checklist.restore" : "checklist.retire", targetType: "checklist", targetId: id });
    return { ok: true, id };
  });
}

const DEFAULT_TIER_RULES = { 优秀: "环境卫生评比·优秀", 良好: "环境卫生评比·良好", 合格: "环境卫生评比·合格", 不合格: "乱堆乱放柴草杂物" } as const;

/** The template every village starts with (the demo's, and a sensible default for a new one). */
export async function defaultChecklist(villageId: number): Promise<ChecklistSpec> {
  const rules = await db()
    .selectFrom("rules")
    .select(["id", "name"])
    .where("village_id", "=", villageId)
    .where("name", "in", Object.values(DEFAULT_TIER_RULES))
    .where("active", "=", constant(1))
    .orderBy("id")
    .execute();
  // The first active rule of that name, as a lookup by name would find it.
  const rule = (tier: keyof typeof DEFAULT_TIER_RULES) => rules.find((r) => r.name === DEFAULT_TIER_RULES[tier])?.id ?? null;
  return {
    name: "农户环境卫生检查表",
    items: [
      { name: "庭院整洁", max: 25 },
      { name: "垃圾分类", max: 20 },
      { name: "厕所卫生", max: 20 },
      { name: "门前三包", max: 20 },
      { name: "畜禽圈养", max: 15 },
    ],
    tiers: [
      { name: "优秀", min: 90, ruleId: rule("优秀") },
      { name: "良好", min: 75, ruleId: rule("良好") },
      { name: "合格", min: 60, ruleId: rule("合格") },
      { name: "不合格", min: 0, ruleId: rule("不合格") },
    ],
  };
}
