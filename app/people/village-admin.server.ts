// Grids of a village, the township's view of its villages, creating a village with its first
// admin, and reading a village's audit log.
import { z } from "zod";
import { fail, generatePassword, initialPasswordSchema, isUniqueViolation, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { chinaYear, now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { hashPassword } from "~/platform/password.server";
import { PHONE_TAKEN } from "./staff.server";
import { findUserByPhone, insertUser } from "./users.server";
import { normalizeDigits, phoneSchema, textSchema } from "~/platform/validation.server";
import { TEXT_LIMITS } from "./limits";
import { addGrid, addVillage, findOrAddTownship, getVillage, townshipName, type VillageRow } from "./villages.server";

// ---- villages -------------------------------------------------------------

/** The village, or a 404 for an id that does not exist. */
export async function villageOr404(villageId: number): Promise<VillageRow> {
  return (await getVillage(villageId)) ?? notFound();
}

export const villageCodeSchema = z
  .string({ error: "请填写村代码" })
  .transform((s) => normalizeDigits(s).replace(/[\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).toUpperCase())
  .pipe(z.string().min(1, "请填写村代码").regex(/^[A-Z0-9]{2,10}$/, "村代码为 2 到 10 位大写字母或数字，如 DZC"));

export const noticeDaysSchema = z
  .string()
  .optional()
  .transform((s) => normalizeDigits(s ?? ""))
  .pipe(
    z
      .string()
      .regex(/^\d{0,3}$/, "公示天数应为 0 到 30 的整数")
      .transform((s) => (s === "" ? 3 : Number(s)))
      .pipe(z.number().int().min(0, "公示天数应为 0 到 30 的整数").max(30, "公示天数应为 0 到 30 的整数")),
  );

export const newVillageSchema = z.object({
  name: textSchema("村名", TEXT_LIMITS.villageName),
  code: villageCodeSchema,
  noticeDays: noticeDaysSchema,
  adminName: textSchema("管理员姓名", TEXT_LIMITS.personName),
  adminPhone: phoneSchema,
  adminPassword: initialPasswordSchema,
});
export type NewVillageFields = z.infer<typeof newVillageSchema>;

/** Every village side by side: households, active members, active logins, points held, this year's score. */
export async function townshipOverview(year = chinaYear(now())) {
  const villages = await db()
    .selectFrom("villages as v")
    .select((eb) => [
      "v.id", "v.name", "v.code", "v.notice_days",
      eb.selectFrom("households as h").select((c) => c.fn.countAll<number>().as("n")).whereRef("h.village_id", "=", "v.id").as("households"),
      eb
        .selectFrom("members as m")
        .select((c) => c.fn.countAll<number>().as("n"))
        .whereRef("m.village_id", "=", "v.id")
        .where("m.active", "=", constant(1))
        .as("members"),
      eb
        .selectFrom("users as u")
        .select((c) => c.fn.countAll<number>().as("n"))
        .where("u.disabled", "=", 0)
        .where((c) =>
          c.or([
            c.exists(c.selectFrom("user_roles as r").select("r.id").whereRef("r.user_id", "=", "u.id").whereRef("r.village_id", "=", "v.id")),
            c.exists(c.selectFrom("members as lm").select("lm.id").whereRef("lm.id", "=", "u.member_id").whereRef("lm.village_id", "=", "v.id")),
          ]),
        )
        .as("logins"),
      eb
        .selectFrom("accounts as a")
        .select((c) => c.fn.coalesce(c.fn.sum<number>("a.balance"), c.lit(0)).as("n"))
        .whereRef("a.village_id", "=", "v.id")
        .where("a.kind", "=", constant("household"))
        .as("balance"),
      eb
        .selectFrom("account_scores as s")
        .innerJoin("accounts as sa", "sa.id", "s.account_id")
        .select((c) => c.fn.coalesce(c.fn.sum<number>("s.score"), c.lit(0)).as("n"))
        .whereRef("sa.village_id", "=", "v.id")
        .where("sa.kind", "=", constant("household"))
        .where("s.year", "=", year)
        .as("score"),
    ])
    .orderBy("v.id")
    .execute();
  return {
    township: await townshipName(),
    year,
    // An aggregate without a group always answers one row: the subqueries are never empty.
    villages: villages.map((v) => ({
      ...v, households: v.households ?? 0, members: v.members ?? 0, logins: v.logins ?? 0, balance: v.balance ?? 0, score: v.score ?? 0,
    })),
  };
}

export type VillageSummary = Awaited<ReturnType<typeof townshipOverview>>["villages"][number];

/** Creates a village and its first village admin, who must change the password at first sign-in. */
export async function createVillageWithAdmin(
  actor: StaffActor,
  f: NewVillageFields,
): Promise<Outcome<{ villageId: number; generated: string | null }>> {
  // Checked before the password is hashed (slow), and again by the unique indexes.
  const taken = await db()
    .selectFrom("villages")
    .select(["code", "name"])
    .where((eb) => eb.or([eb("code", "=", f.code), eb("name", "=", f.name)]))
    .execute();
  if (taken.some((v) => v.code === f.code)) return fail("code", "这个村代码已被使用");
  if (taken.length) return fail("name", "已经有同名的村");
  if (await findUserByPhone(f.adminPhone)) return fail("adminPhone", PHONE_TAKEN);
  const generated = f.adminPassword === null ? generatePassword() : null;
  const hash = await hashPassword(f.adminPassword ?? generated!);
  try {
    const villageId = await unitOfWork(async () => {
      const townshipId = await findOrAddTownship((await townshipName()) || "本乡镇");
      const id = await addVillage({ townshipId, name: f.name, code: f.code, noticeDays: f.noticeDays });
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId: id, action: "village.create", targetType: "village", targetId: id,
        after: { name: f.name, code: f.code, notice_days: f.noticeDays },
      });
      const userId = await insertUser({
        phone: f.adminPhone,
        passwordHash: hash,
        displayName: f.adminName,
        memberId: null,
        mustChangePassword: true,
        roles: [{ role: "village_admin", villageId: id }],
      });
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId: id, action: "user.create", targetType: "user", targetId: userId,
        after: { name: f.adminName, phone: f.adminPhone, roles: ["village_admin"], must_change_password: true },
      });
      return id;
    });
    return { ok: true, villageId, generated };
  } catch (e) {
    if (isUniqueViolation(e, "villages.code")) return fail("code", "这个村代码已被使用");
    if (isUniqueViolation(e, "villages.")) return fail("name", "已经有同名的村");
    if (isUniqueViolation(e, "users.phone")) return fail("adminPhone", PHONE_TAKEN);
    throw e;
  }
}

// ---- grids ----------------------------------------------------------------

export const gridNameSchema = z.object({ name: textSchema("网格名称", TEXT_LIMITS.gridName) });

export async function gridsWithCounts(villageId: number) {
  const rows = await db()
    .selectFrom("grids as g")
    .select((eb) => [
      "g.id", "g.name",
      eb.selectFrom("households as h").select((c) => c.fn.countAll<number>().as("n")).whereRef("h.grid_id", "=", "g.id").as("households"),
    ])
    .where("g.village_id", "=", villageId)
    .orderBy("g.id")
    .execute();
  return rows.map((g) => ({ ...g, households: g.households ?? 0 }));
}

const GRID_TAKEN = "本村已有这个网格";

export async function createGrid(actor: StaffActor, villageId: number, name: string): Promise<Outcome<{ gridId: number }>> {
  try {
    return await unitOfWork(async () => {
      const gridId = await addGrid(villageId, name);
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "grid.create", targetType: "grid", targetId: gridId, after: { name } });
      return { ok: true as const, gridId };
    });
  } catch (e) {
    if (isUniqueViolation(e, "grids.")) return fail("name", GRID_TAKEN);
    throw e;
  }
}

export async function renameGrid(actor: StaffActor, villageId: number, gridId: number, name: string): Promise<Outcome> {
  try {
    return await unitOfWork<Outcome>(async () => {
      const grid = await db().selectFrom("grids").select(["id", "name"]).where("id", "=", gridId).where("village_id", "=", villageId).executeTakeFirst();
      if (!grid) notFound();
      if (grid.name === name) return { ok: true };
      await db().updateTable("grids").set({ name }).where("id", "=", gridId).execute();
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "grid.rename", targetType: "grid", targetId: gridId,
        before: { name: grid.name }, after: { name },
      });
      return { ok: true };
    });
  } catch (e) {
    if (isUniqueViolation(e, "grids.")) return fail("name", GRID_TAKEN);
    throw e;
  }
}

// ---- audit log --------------------------------------------------------------

export const AUDIT_PAGE_SIZE = 30;

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** How a target reads in the log: "12号户", "王芳（12号户）", "王芳 139…", or its name. */
function targetLabel(type: string, name: string | null, extra: string | null): string | null {
  if (name === null) return null;
  if (type === "household") return `${name}号户`;
  if (type === "member") return `${name}（${extra ?? ""}号户）`;
  if (type === "user") return `${name} ${extra ?? ""}`;
  return name;
}

/** One page of the village's audit log, newest first, with a readable name for each target. */
export async function villageAuditPage(villageId: number, page: number) {
  const { n: total } = await db()
    .selectFrom("audit_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("village_id", "=", villageId)
    .executeTakeFirstOrThrow();
  const rows = await db()
    .selectFrom("audit_log as a")
    .leftJoin("users as u", "u.id", "a.actor_user_id")
    .select((eb) => {
      // target_id is text (ids of any kind); the targets named here all have integer ids.
      const target = eb.cast<number>("a.target_id", "integer");
      // Only the branch of the row's type runs its lookup; the label is put together in JS.
      const name = eb
        .case("a.target_type")
        .when("household").then(eb.selectFrom("households as h").select("h.number").where("h.id", "=", target).$asScalar())
        .when("member").then(eb.selectFrom("members as m").select("m.name").where("m.id", "=", target).$asScalar())
        .when("user").then(eb.selectFrom("users as t").select("t.display_name").where("t.id", "=", target).$asScalar())
        .when("grid").then(eb.selectFrom("grids as g").select("g.name").where("g.id", "=", target).$asScalar())
        .when("village").then(eb.selectFrom("villages as v").select("v.name").where("v.id", "=", target).$asScalar())
        .when("activity").then(eb.selectFrom("activities as t").select("t.title").where("t.id", "=", target).$asScalar())
        .when("good").then(eb.selectFrom("goods as g").select("g.name").where("g.id", "=", target).$asScalar())
        .when("rule").then(eb.selectFrom("rules as r").select("r.name").where("r.id", "=", target).$asScalar())
        .when("store").then(eb.selectFrom("stores as s").select("s.name").where("s.id", "=", target).$asScalar())
        .end();
      const extra = eb
        .case("a.target_type")
        .when("member")
        .then(eb.selectFrom("members as m").innerJoin("households as h", "h.id", "m.household_id").select("h.number").where("m.id", "=", target).$asScalar())
        .when("user").then(eb.selectFrom("users as t").select("t.phone").where("t.id", "=", target).$asScalar())
        .end();
      return [
        "a.id", "a.at", "u.display_name as actor_name", "u.phone as actor_phone", "a.actor_role", "a.action", "a.target_type",
        "a.target_id", "a.before_json", "a.after_json", name.as("target_name"), extra.as("target_extra"),
      ];
    })
    .where("a.village_id", "=", villageId)
    .orderBy("a.id", "desc")
    .limit(AUDIT_PAGE_SIZE)
    .offset((page - 1) * AUDIT_PAGE_SIZE)
    .execute();
  return {
    rows: rows.map(({ before_json, after_json, target_name, target_extra, ...r }) => ({
      ...r,
      target_label: targetLabel(r.target_type, target_name, target_extra),
      before: parseJson(before_json),
      after: parseJson(after_json),
    })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)),
  };
}

export type AuditView = Awaited<ReturnType<typeof villageAuditPage>>["rows"][number];
