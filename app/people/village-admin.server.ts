// Grids of a village, the township's view of its villages, creating a village with its first
// admin, and reading a village's audit log.
import { z } from "zod";
import { fail, generatePassword, initialPasswordSchema, isUniqueViolation, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { chinaYear, now } from "~/platform/clock.server";
import { engine, transact, stmt } from "~/platform/database.server";
import { hashPassword } from "~/platform/password.server";
import { PHONE_TAKEN } from "./staff.server";
import { findUserByPhone, insertUser } from "./users.server";
import { normalizeDigits, phoneSchema, textSchema } from "~/platform/validation.server";
import { createVillage, ensureTownship, getVillage, townshipName, type VillageRow } from "./villages.server";

// ---- villages -------------------------------------------------------------

/** The village, or a 404 for an id that does not exist. */
export function villageOr404(villageId: number): VillageRow {
  return getVillage(villageId) ?? notFound();
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
  name: textSchema("村名", 30),
  code: villageCodeSchema,
  noticeDays: noticeDaysSchema,
  adminName: textSchema("管理员姓名", 30),
  adminPhone: phoneSchema,
  adminPassword: initialPasswordSchema,
});
export type NewVillageFields = z.infer<typeof newVillageSchema>;

export interface VillageSummary {
  id: number;
  name: string;
  code: string;
  notice_days: number;
  households: number;
  members: number;
  logins: number;
  balance: number;
  score: number;
}

/** Every village side by side: households, active members, active logins, points held, this year's score. */
export function townshipOverview(year = chinaYear(now())): { township: string; year: number; villages: VillageSummary[] } {
  const villages = stmt(
      `select v.id, v.name, v.code, v.notice_days,
        (select count(*) from households h where h.village_id = v.id) as households,
        (select count(*) from members m where m.village_id = v.id and m.active = 1) as members,
        (select count(*) from users u where u.disabled = 0 and (
            exists (select 1 from user_roles r where r.user_id = u.id and r.village_id = v.id)
            or exists (select 1 from members m where m.id = u.member_id and m.village_id = v.id))) as logins,
        (select coalesce(sum(a.balance), 0) from accounts a where a.village_id = v.id and a.kind = 'household') as balance,
        (select coalesce(sum(s.score), 0) from account_scores s join accounts a on a.id = s.account_id
          where a.village_id = v.id and a.kind = 'household' and s.year = ?) as score
       from villages v order by v.id`,
    )
    .all(year) as VillageSummary[];
  return { township: townshipName(), year, villages };
}

/** Creates a village and its first village admin, who must change the password at first sign-in. */
export async function createVillageWithAdmin(
  actor: StaffActor,
  f: NewVillageFields,
): Promise<Outcome<{ villageId: number; generated: string | null }>> {
  const sqlite = engine().sqlite;
  if (sqlite.prepare("select 1 from villages where code = ?").get(f.code)) return fail("code", "这个村代码已被使用");
  if (sqlite.prepare("select 1 from villages where name = ?").get(f.name)) return fail("name", "已经有同名的村");
  if (findUserByPhone(f.adminPhone)) return fail("adminPhone", PHONE_TAKEN);
  const generated = f.adminPassword === null ? generatePassword() : null;
  const hash = await hashPassword(f.adminPassword ?? generated!);
  try {
    const villageId = transact(() => {
      const townshipId = ensureTownship(townshipName() || "本乡镇");
      const id = createVillage({ townshipId, name: f.name, code: f.code, noticeDays: f.noticeDays });
      audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId: id, action: "village.create", targetType: "village", targetId: id,
        after: { name: f.name, code: f.code, notice_days: f.noticeDays },
      });
      const userId = insertUser({
        phone: f.adminPhone,
        passwordHash: hash,
        displayName: f.adminName,
        memberId: null,
        mustChangePassword: true,
        roles: [{ role: "village_admin", villageId: id }],
      });
      audit({
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

export const gridNameSchema = z.object({ name: textSchema("网格名称", 20) });

export function gridsWithCounts(villageId: number): { id: number; name: string; households: number }[] {
  return stmt(
      `select g.id, g.name, (select count(*) from households h where h.grid_id = g.id) as households
       from grids g where g.village_id = ? order by g.id`,
    )
    .all(villageId) as { id: number; name: string; households: number }[];
}

const GRID_TAKEN = "本村已有这个网格";

export function createGrid(actor: StaffActor, villageId: number, name: string): Outcome<{ gridId: number }> {
  try {
    return transact(() => {
      const gridId = Number(stmt("insert into grids (village_id, name) values (?, ?)").run(villageId, name).lastInsertRowid);
      audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "grid.create", targetType: "grid", targetId: gridId, after: { name } });
      return { ok: true as const, gridId };
    });
  } catch (e) {
    if (isUniqueViolation(e, "grids.")) return fail("name", GRID_TAKEN);
    throw e;
  }
}

export function renameGrid(actor: StaffActor, villageId: number, gridId: number, name: string): Outcome {
  const grid = stmt("select id, name from grids where id = ? and village_id = ?").get(gridId, villageId) as
    | { id: number; name: string }
    | undefined;
  if (!grid) notFound();
  if (grid.name === name) return { ok: true };
  try {
    transact(() => {
      stmt("update grids set name = ? where id = ?").run(name, gridId);
      audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "grid.rename", targetType: "grid", targetId: gridId,
        before: { name: grid.name }, after: { name },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e, "grids.")) return fail("name", GRID_TAKEN);
    throw e;
  }
  return { ok: true };
}

// ---- audit log --------------------------------------------------------------

export const AUDIT_PAGE_SIZE = 30;

export interface AuditView {
  id: number;
  at: number;
  actor_name: string | null;
  actor_phone: string | null;
  actor_role: string;
  action: string;
  target_type: string;
  target_id: string | null;
  target_label: string | null;
  before: unknown;
  after: unknown;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One page of the village's audit log, newest first, with a readable name for each target. */
export function villageAuditPage(villageId: number, page: number) {
  const sqlite = engine().sqlite;
  const total = (sqlite.prepare("select count(*) as n from audit_log where village_id = ?").get(villageId) as { n: number }).n;
  const rows = sqlite
    .prepare(
      `select a.id, a.at, u.display_name as actor_name, u.phone as actor_phone, a.actor_role, a.action, a.target_type, a.target_id,
         a.before_json, a.after_json,
         case a.target_type
           when 'household' then (select h.number || '号户' from households h where h.id = cast(a.target_id as integer))
           when 'member' then (select m.name || '（' || h.number || '号户）' from members m join households h on h.id = m.household_id
                               where m.id = cast(a.target_id as integer))
           when 'user' then (select t.display_name || ' ' || t.phone from users t where t.id = cast(a.target_id as integer))
           when 'grid' then (select g.name from grids g where g.id = cast(a.target_id as integer))
           when 'village' then (select v.name from villages v where v.id = cast(a.target_id as integer))
           when 'activity' then (select t.title from activities t where t.id = cast(a.target_id as integer))
           when 'good' then (select g.name from goods g where g.id = cast(a.target_id as integer))
           when 'rule' then (select r.name from rules r where r.id = cast(a.target_id as integer))
           when 'store' then (select s.name from stores s where s.id = cast(a.target_id as integer))
         end as target_label
       from audit_log a left join users u on u.id = a.actor_user_id
       where a.village_id = ? order by a.id desc limit ? offset ?`,
    )
    .all(villageId, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE) as (Omit<AuditView, "before" | "after"> & {
    before_json: string | null;
    after_json: string | null;
  })[];
  return {
    rows: rows.map(({ before_json, after_json, ...r }) => ({ ...r, before: parseJson(before_json), after: parseJson(after_json) })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)),
  };
}
