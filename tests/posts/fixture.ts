// A village for post tests: the claims fixture's village (two households, a villager, an inspector,
// two committee members, committee2 living in household B), with household A in a grid whose 网格员
// is the inspector, household B in another grid without one, and a second inspector who works no grid.
import { insertUser } from "~/people/users.server";
import { createPost } from "~/posts/posts.server";
import { sqlOn } from "../support/sql";
import { claimVillage } from "../claims/fixture";

let seq = 0;

export async function postVillage(code: string) {
  const v = await claimVillage(code);
  const q = sqlOn();
  await q.run("insert into grids (village_id, name, worker_user_id) values (?, ?, ?)", v.villageId, "一组", v.inspector);
  await q.run("insert into grids (village_id, name) values (?, ?)", v.villageId, "二组");
  const [g1, g2] = (await q.all<{ id: number }>("select id from grids where village_id = ? order by id", v.villageId)).map((g) => g.id);
  await q.run("update households set grid_id = ? where id = ?", g1, v.householdA);
  await q.run("update households set grid_id = ? where id = ?", g2, v.householdB);
  seq++;
  const idleInspector = await insertUser({
    phone: `1370000${String(seq).padStart(4, "0")}`, passwordHash: "x", displayName: "另一网格员", memberId: null, mustChangePassword: false,
    roles: [{ role: "inspector", villageId: v.villageId }],
  });
  const actor = { userId: v.committee1, role: "committee", villageId: v.villageId };
  const made = await createPost(actor, v.villageId, { name: "民情信息员", duties: "收集民情，每月上报", allowance: 20, seats: 2 });
  if (!made.ok) throw new Error(JSON.stringify(made.errors));
  return { ...v, grid1: g1, grid2: g2, idleInspector, actor, postId: made.postId };
}

export type PostVillage = Awaited<ReturnType<typeof postVillage>>;
