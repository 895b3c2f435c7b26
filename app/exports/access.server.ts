// Who may export: a village's admins and committee export that village; the township admin any
// village, or the whole township in one file.
import { db } from "~/platform/database.server";
import type { Role } from "~/platform/roles";

export const EXPORT_ROLES: readonly Role[] = ["village_admin", "committee", "township_admin"];

/** The township page's list of villages. */
export function villageChoices() {
  return db().selectFrom("villages").select(["id", "name"]).orderBy("id").execute();
}
