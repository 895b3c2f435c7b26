// 消息: each event notifies the right people once (a replay adds nothing, a rolled-back write notifies
// nobody), read state is per person, mark-all-read, and the committee's live counts.
import { afterEach, describe, expect, it } from "vitest";
import {
  approveClaim, creditDueClaims, fileClaimBatch, objectToClaim, rejectClaim, resolveObjection, revokeClaim,
} from "~/claims/claims.server";
import { clockControl, now } from "~/platform/clock.server";
import { unitOfWork } from "~/platform/database.server";
import { insertUser } from "~/people/users.server";
import { notifyHousehold, notifyUsers, type Notice } from "~/notifications/notify.server";
import { committeeCounts, inboxPage, markAllRead, openNotice, unreadCount } from "~/notifications/inbox.server";
import { claimVillage, setVillage, type ClaimVillage } from "../claims/fixture";
import { sqlOn } from "../support/sql";

afterEach(() => clockControl.reset());

let phones = 13600000000;
/** A second login in a household (the household's other member), so read state can differ per person. */
async function secondLogin(memberId: number, villageId: number): Promise<number> {
  return insertUser({ phone: String(++phones), passwordHash: "x", displayName: "家人", memberId, mustChangePassword: false, roles: [{ role: "villager", villageId }] });
}

type Row = { user_id: number; kind: string; title: string; link: string | null; dedupe_key: string; read_at: number | null };
const inbox = (userId: number) => sqlOn().all<Row>("select user_id, kind, title, link, dedupe_key, read_at from notifications where user_id = ? order by id", userId);
const kinds = async (userId: number) => (await inbox(userId)).map((r) => r.kind);
const total = async (villageId: number) => Number(await sqlOn().value("select count(*) from notifications where village_id = ?", villageId));

async function file(v: ClaimVillage, memberId = v.memberA): Promise<number> {
  const [id] = await fileClaimBatch({
    villageId: v.villageId, filer: { userId: v.villager, role: "household_head" },
    items: [{ memberId, ruleId: v.rules.sweep, occurredAt: now() - 3600_000, quantity: 1, note: "打扫村口" }],
  });
  return id;
}
const c1 = (v: ClaimVillage) => ({ userId: v.committee1, role: "committee" as const });


describe("claims", () => {
  it("approved, credited: every login of the household once; filing notifies nobody (the committee sees a live count)", async () => {
    const v = await claimVillage("NT1");
    await setVillage(v.villageId, 3, 1);
    const spouse = await secondLogin(v.memberA2, v.villageId);
    const id = await file(v);
    expect(await total(v.villageId)).toBe(0);
    expect(await approveClaim(v.villageId, id, c1(v))).toBe("approved");
    expect(await kinds(v.villager)).toEqual(["claim.approved"]);
    expect(await kinds(spouse)).toEqual(["claim.approved"]);
    expect((await inbox(v.villager))[0]).toMatchObject({ title: "申报已通过审核", link: `/claims#claim-${id}`, dedupe_key: `claim:${id}:approved` });
    // Household B (committee2 lives there) and the committee get nothing for this claim.
    expect(await kinds(v.committee2)).toEqual([]);
    expect(await kinds(v.committee1)).toEqual([]);
    clockControl.advance(3 * 86_400_000);
    expect(await creditDueClaims()).toBe(1);
    expect(await creditDueClaims()).toBe(0);
    expect(await kinds(v.villager)).toEqual(["claim.approved", "claim.credited"]);
    expect(await total(v.villageId)).toBe(4);
  });

  it("a replayed approval or credit does not duplicate: the unique (user, dedupe key) drops the second", async () => {
    const v = await claimVillage("NT2");
    await setVillage(v.villageId, 0, 1);
    const id = await file(v);
    expect(await approveClaim(v.villageId, id, c1(v))).toBe("credited");
    // notice period 0: credited at once, one notice (no 公示 step to announce)
    expect(await kinds(v.villager)).toEqual(["claim.credited"]);
    await expect(approveClaim(v.villageId, id, c1(v))).rejects.toThrow(/不能再审核/);
    // The same event sent again (a retried unit of work) inserts nothing.
    const again: Notice = { kind: "claim.credited", villageId: v.villageId, title: "x", body: "y", link: "/statement", dedupeKey: `claim:${id}:credited` };
    await unitOfWork(() => notifyHousehold(v.householdA, again));
    await unitOfWork(() => notifyUsers([v.villager, v.villager], again));
    expect(await kinds(v.villager)).toEqual(["claim.credited"]);
    expect((await inbox(v.villager))[0].title).toBe("积分已到账");
  });

  it("two approvals of the same claim at once: one notice", async () => {
    const v = await claimVillage("NT3");
    await setVillage(v.villageId, 3, 1);
    const id = await file(v);
    const other = await insertUser({ phone: String(++phones), passwordHash: "x", displayName: "村委丙", memberId: null, mustChangePassword: false, roles: [{ role: "committee", villageId: v.villageId }] });
    const results = await Promise.allSettled([approveClaim(v.villageId, id, c1(v)), approveClaim(v.villageId, id, { userId: other, role: "committee" })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await kinds(v.villager)).toEqual(["claim.approved"]);
  });

  it("a rolled-back write notifies nobody", async () => {
    const v = await claimVillage("NT4");
    await setVillage(v.villageId, 3, 1);
    const id = await file(v);
    await expect(
      unitOfWork(async () => {
        await approveClaim(v.villageId, id, c1(v));
        throw new Error("after the approval, before commit");
      }),
    ).rejects.toThrow(/before commit/);
    expect(await total(v.villageId)).toBe(0);
    expect(await sqlOn().value("select status from claims where id = ?", id)).toBe("pending");
  });

  it("rejected, objected, objection decided, revoked: the household, the objector and the committee each as they should", async () => {
    const v = await claimVillage("NT5");
    await setVillage(v.villageId, 3, 1);
    const rejected = await file(v);
    await rejectClaim(v.villageId, rejected, c1(v), "当天没有安排清扫");
    expect((await inbox(v.villager)).map((r) => [r.kind, r.title])).toEqual([["claim.rejected", "申报没有通过"]]);

    const id = await file(v);
    await approveClaim(v.villageId, id, c1(v));
    // committee2 lives in household B: objects as a villager of the village.
    const objection = await objectToClaim(v.villageId, id, v.committee2, "那天下雨没扫");
    expect(await kinds(v.villager)).toEqual(["claim.rejected", "claim.approved", "objection.filed"]);
    expect(await inbox(v.committee1)).toMatchObject([{ kind: "objection.filed", title: "有一条异议待处理", link: `/v/${v.villageId}/review/${id}` }]);
    // The objector is on the committee too: told of the objection to decide (his own; another member decides it).
    expect(await kinds(v.committee2)).toEqual(["objection.filed"]);
    await resolveObjection(v.villageId, objection, c1(v), "dismiss", "核实已清扫");
    expect(await kinds(v.villager)).toEqual(["claim.rejected", "claim.approved", "objection.filed", "objection.decided"]);
    expect((await inbox(v.committee2)).map((r) => r.title)).toEqual(["有一条异议待处理", "你提出的异议已处理"]);
    clockControl.advance(3 * 86_400_000);
    await creditDueClaims();
    await revokeClaim(v.villageId, id, c1(v), "录错了");
    expect((await kinds(v.villager)).slice(-2)).toEqual(["claim.credited", "claim.revoked"]);
  });

  it("a batch of claims credited: one notice per claim, written by one statement each", async () => {
    const v = await claimVillage("NT6");
    await setVillage(v.villageId, 0, 1);
    const ids = await fileClaimBatch({
      villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" }, source: { kind: "test", id: 1 },
      items: Array.from({ length: 20 }, (_, i) => ({ memberId: i % 2 ? v.memberA : v.memberB, ruleId: v.rules.sweep, occurredAt: now() - 3600_000 - i, quantity: 1, note: "" })),
    });
    expect(await total(v.villageId)).toBe(0);
    for (const id of ids) await approveClaim(v.villageId, id, c1(v));
    expect(await kinds(v.villager)).toHaveLength(10);
    expect(await kinds(v.committee2)).toHaveLength(10);
    expect(new Set((await inbox(v.villager)).map((r) => r.dedupe_key)).size).toBe(10);
  });
});

describe("reading", () => {
  it("read state is per person; opening someone else's notice finds nothing and changes nothing; mark all read", async () => {
    const v = await claimVillage("NT9");
    await setVillage(v.villageId, 3, 1);
    const spouse = await secondLogin(v.memberA2, v.villageId);
    const ids = [await file(v), await file(v)];
    for (const id of ids) await approveClaim(v.villageId, id, c1(v));
    expect(await unreadCount(v.villager)).toBe(2);
    expect(await unreadCount(spouse)).toBe(2);
    const mine = (await inboxPage(v.villager, 1)).rows;
    expect(mine.map((r) => r.title)).toEqual(["申报已通过审核", "申报已通过审核"]);
    expect(mine[0].id).toBeGreaterThan(mine[1].id); // newest first
    expect(await openNotice(v.villager, mine[0].id)).toEqual({ ok: true, to: `/claims#claim-${ids[1]}` });
    expect(await unreadCount(v.villager)).toBe(1);
    expect(await unreadCount(spouse)).toBe(2);
    // The spouse opening the villager's notice id: not found, nothing marked.
    expect(await openNotice(spouse, mine[1].id)).toMatchObject({ ok: false, status: 404, error: expect.stringContaining("找不到这条消息") });
    expect(await unreadCount(v.villager)).toBe(1);
    expect(await openNotice(v.villager, 999_999_999_999)).toMatchObject({ ok: false, status: 404 });
    // Opening twice is opening once.
    expect((await openNotice(v.villager, mine[0].id)).ok).toBe(true);
    expect(await markAllRead(spouse)).toBe(2);
    expect(await markAllRead(spouse)).toBe(0);
    expect(await unreadCount(spouse)).toBe(0);
    expect(await unreadCount(v.villager)).toBe(1);
  });

  it("the unread count stops at 100 (the header says 99+), pages are 20 newest first", async () => {
    const v = await claimVillage("NT10");
    await unitOfWork(async () => {
      for (let i = 0; i < 130; i++) {
        await notifyUsers([v.villager], { kind: "points.expiring", villageId: v.villageId, title: `第 ${i} 条`, body: "", link: null, dedupeKey: `t:${i}` });
      }
    });
    expect(await unreadCount(v.villager)).toBe(100);
    const p1 = await inboxPage(v.villager, 1);
    expect(p1).toMatchObject({ total: 130, pages: 7, page: 1 });
    expect(p1.rows[0].title).toBe("第 129 条");
    expect((await inboxPage(v.villager, 99)).page).toBe(7);
    // A link that is not our own path is dropped: opening it stays in the inbox.
    await unitOfWork(() => notifyUsers([v.villager], { kind: "pin.locked", villageId: v.villageId, title: "x", body: "", link: "//evil.example/", dedupeKey: "t:evil" }));
    const evil = (await inboxPage(v.villager, 1)).rows[0];
    expect(evil.link).toBeNull();
    expect(await openNotice(v.villager, evil.id)).toEqual({ ok: true, to: "/messages" });
  });

  it("committee live counts: claims waiting and open objections, computed; nothing for a villager", async () => {
    const v = await claimVillage("NT11");
    await setVillage(v.villageId, 3, 1);
    const viewerOf = (userId: number, role: "committee" | "household_head") => ({ roles: [{ role, villageId: v.villageId }], userId });
    expect(await committeeCounts(viewerOf(v.villager, "household_head"))).toEqual([]);
    const ids = [await file(v), await file(v), await file(v)];
    expect(await committeeCounts(viewerOf(v.committee1, "committee"))).toEqual([
      { villageId: v.villageId, village: null, kind: "claims", n: 3, to: `/v/${v.villageId}/review` },
      { villageId: v.villageId, village: null, kind: "objections", n: 0, to: `/v/${v.villageId}/notice` },
    ]);
    await approveClaim(v.villageId, ids[0], c1(v));
    await objectToClaim(v.villageId, ids[0], v.committee2, "没扫");
    const counts = await committeeCounts(viewerOf(v.committee1, "committee"));
    expect(counts.map((c) => c.n)).toEqual([2, 1]);
    // Filing three claims wrote no row for the committee: only the one objection to decide.
    expect(await kinds(v.committee1)).toEqual(["objection.filed"]);
  });
});
