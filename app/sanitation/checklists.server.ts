// Checklist templates (检查表) kept by the village admin: items with a maximum score, and tiers by
// total, each mapped to a rule of the village's catalogue (points plus or minus). A round copies the template
// whole when it is created, so editing a template never changes a round already under way.
import { z } from "zod";
import { fail, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { maxTotal, SANITATION_MAX, type ChecklistItem, type ChecklistSpec, type ChecklistTier } from "./labels";
import { normalizeDigits, textSchema } from "~/platform/validation.server";

export const ITEM_ROWS = 10;
export const TIER_ROWS = 5;
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

interface StoredRow {
  id: number;
  village_id: number;
  name: string;
  items_json: string;
  tiers_json: string;
  active: number;
  updated_at: number;
}

const parse = (r: StoredRow): ChecklistRow => ({
  id: r.id, village_id: r.village_id, name: r.name, items: JSON.parse(r.items_json), tiers: JSON.parse(r.tiers_json), active: r.active, updated_at: r.updated_at,
});

export function listChecklists(villageId: number, activeOnly = false): ChecklistRow[] {
  const rows = stmt("select * from checklists where village_id = ? and (? = 0 or active = 1) order by active desc, id").all(villageId, activeOnly ? 1 : 0) as StoredRow[];
  return rows.map(parse);
}

export function checklistIn(villageId: number, id: number): ChecklistRow | null {
  const row = stmt("select * from checklists where id = ? and village_id = ?").get(id, villageId) as StoredRow | undefined;
  return row ? parse(row) : null;
}

/** Rules a tier may pay or deduct by: the village's active 环境卫生 and 村规民约 rules, per time. */
export function tierRuleChoices(villageId: number): { id: number; name: string; points: number; category: string }[] {
  return stmt(
    `select id, name, points, category from rules where village_id = ? and active = 1 and unit = 'time'
     and category in ('sanitation', 'village_rules') order by category, points desc, id`,
  ).all(villageId) as { id: number; name: string; points: number; category: string }[];
}

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
export function checklistFromForm(villageId: number, raw: Record<string, string>): { ok: true; spec: ChecklistSpec } | { ok: false; errors: Record<string, string> } {
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
  const rules = new Map(tierRuleChoices(villageId).map((r) => [r.id, r]));
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

export function insertChecklist(villageId: number, spec: ChecklistSpec, createdBy: number | null): number {
  const at = now();
  return Number(
    stmt("insert into checklists (village_id, name, items_json, tiers_json, created_by, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?)").run(
      villageId, spec.name, JSON.stringify(spec.items), JSON.stringify(spec.tiers), createdBy, at, at,
    ).lastInsertRowid,
  );
}

export const checklistIntent = z.object({ intent: z.enum(["checklist.save", "checklist.retire", "checklist.restore"], { error: BAD_REQUEST }) });

/** Creates (id null) or updates a template from the form. */
export function saveChecklist(actor: StaffActor, villageId: number, id: number | null, raw: Record<string, string>): Outcome<{ id: number }> {
  const parsed = checklistFromForm(villageId, raw);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, status: 400 };
  const { spec } = parsed;
  return transact((): Outcome<{ id: number }> => {
    const clash = stmt("select id from checklists where village_id = ? and name = ? and active = 1 and id <> ?").get(villageId, spec.name, id ?? 0);
    if (clash) return fail("name", "已经有同名的在用检查表");
    if (id === null) {
      const newId = insertChecklist(villageId, spec, actor.userId);
      audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "checklist.create", targetType: "checklist", targetId: newId, after: spec });
      return { ok: true, id: newId };
    }
    const before = checklistIn(villageId, id);
    if (!before) return fail("_form", "找不到这张检查表", 404);
    stmt("update checklists set name = ?, items_json = ?, tiers_json = ?, updated_at = ? where id = ?").run(spec.name, JSON.stringify(spec.items), JSON.stringify(spec.tiers), now(), id);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "checklist.update", targetType: "checklist", targetId: id, before: { name: before.name, items: before.items, tiers: before.tiers }, after: spec });
    return { ok: true, id };
  });
}

/** Retired templates stay (rounds point at them) but are not offered for new rounds. */
export function setChecklistActive(actor: StaffActor, villageId: number, id: number, active: boolean): Outcome<{ id: number }> {
  return transact((): Outcome<{ id: number }> => {
    const c = checklistIn(villageId, id);
    if (!c) return fail("_form", "找不到这张检查表", 404);
    if (active && stmt("select 1 from checklists where village_id = ? and name = ? and active = 1 and id <> ?").get(villageId, c.name, id)) {
      return fail("_form", "已经有同名的在用检查表，请先改名");
    }
    stmt("update checklists set active = ?, updated_at = ? where id = ?").run(active ? 1 : 0, now(), id);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: active ? "checklist.restore" : "checklist.retire", targetType: "checklist", targetId: id });
    return { ok: true, id };
  });
}

/** The template every village starts with (the demo's, and a sensible default for a new one). */
export function defaultChecklist(villageId: number): ChecklistSpec {
  const rule = (name: string) => (stmt("select id from rules where village_id = ? and name = ? and active = 1").get(villageId, name) as { id: number } | undefined)?.id ?? null;
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
      { name: "优秀", min: 90, ruleId: rule("环境卫生评比·优秀") },
      { name: "良好", min: 75, ruleId: rule("环境卫生评比·良好") },
      { name: "合格", min: 60, ruleId: rule("环境卫生评比·合格") },
      { name: "不合格", min: 0, ruleId: rule("乱堆乱放柴草杂物") },
    ],
  };
}
