// Saves kept on an inspector's phone while offline and sent later (sanitation/offline.server.ts):
// a key sent twice, one after the other or both at once, is written once and answered the same; a
// save that arrives after the round was published or after the inspector lost the grid is refused
// in words the phone shows; a bad key writes nothing; between two saves the later tap wins.
import crypto from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { inspectionOf } from "~/sanitation/inspections.server";
import { sendKeptSave } from "~/sanitation/offline.server";
import { publishRound } from "~/sanitation/publish.server";
import { assignInspectors, roundIn } from "~/sanitation/rounds.server";
import { count, openNovemberRound, sanitationVillage, type SanitationVillage } from "./fixture";

const china = (y: number, m: number, d: number, h = 10) => Date.UTC(y, m - 1, d, h - 8);
const JPEG = new Uint8Array(await sharp({ create: { width: 40, height: 30, channels: 3, background: "#7a5" } }).jpeg().toBuffer());

afterAll(() => clockControl.reset());

let v: SanitationVillage;
let roundId: number;

beforeAll(async () => {
  clockControl.set(china(2026, 11, 10));
  v = await sanitationVillage("OFFL");
  roundId = await openNovemberRound(v);
});

function kept(fields: Record<string, string>, photos = 0) {
  const form = new FormData();
  for (const [k, val] of Object.entries(fields)) form.append(k, val);
  for (let i = 0; i < photos; i++) form.append("photos", new File([JPEG], `p${i}.jpg`, { type: "image/jpeg" }));
  return { form, raw: fields };
}

async function send(userId: number, householdId: number, fields: Record<string, string>, photos = 0) {
  const { form, raw } = kept(fields, photos);
  return sendKeptSave({ userId, role: "inspector" }, await roundIn(v.villageId, roundId), householdId, form, raw);
}

const scoreOf = (key: string, s0: number, s1: number, at = china(2026, 11, 10, 9)) => ({ intent: "score", key, at: String(at), version: "0", s0: String(s0), s1: String(s1), note: "" });
const written = async (householdId: number) => ({
  inspections: await count("select count(*) as n from inspections where round_id = ? and household_id = ?", roundId, householdId),
  saves: await count("select count(*) as n from inspection_saves where round_id = ? and household_id = ?", roundId, householdId),
  audits: await count("select count(*) as n from audit_log a join inspections i on cast(i.id as text) = a.target_id where a.target_type = 'inspection' and i.round_id = ? and i.household_id = ?", roundId, householdId),
  photos: await count("select count(*) as n from inspection_photos p join inspections i on i.id = p.inspection_id where i.round_id = ? and i.household_id = ?", roundId, householdId),
});

describe("a kept save sent again", () => {
  it("is written once and answered as the first time (with a photo)", async () => {
    const key = crypto.randomUUID();
    const first = await send(v.inspector1, v.C, scoreOf(key, 45, 40), 1);
    expect(first).toEqual({ status: 200, reply: { ok: true, message: "已提交 003号户：85 分，良好" } });
    const again = await send(v.inspector1, v.C, scoreOf(key, 45, 40), 1);
    expect(again).toEqual(first);
    expect(await written(v.C)).toEqual({ inspections: 1, saves: 1, audits: 1, photos: 1 });
    expect(await inspectionOf(roundId, v.C)).toMatchObject({ total: 85, version: 1 });
  });

  it("twice at once: one write, the same answer to both", async () => {
    const key = crypto.randomUUID();
    const [a, b] = await Promise.all([send(v.inspector1, v.D, scoreOf(key, 48, 47)), send(v.inspector1, v.D, scoreOf(key, 48, 47))]);
    expect(a).toEqual({ status: 200, reply: { ok: true, message: "已提交 004号户：95 分，优秀" } });
    expect(b).toEqual(a);
    expect(await written(v.D)).toEqual({ inspections: 1, saves: 1, audits: 1, photos: 0 });
    expect(await inspectionOf(roundId, v.D)).toMatchObject({ total: 95, version: 1 });
    // An absent mark twice at once, too.
    const k2 = crypto.randomUUID();
    const absent = { intent: "absent", key: k2, at: String(china(2026, 11, 10, 9)), version: "0", reason: "家里没人" };
    const [c, d] = await Promise.all([send(v.inspector2, v.E, absent), send(v.inspector2, v.E, absent)]);
    expect(c).toEqual({ status: 200, reply: { ok: true, message: "已提交 005号户：未检查" } });
    expect(d).toEqual(c);
    expect(await written(v.E)).toEqual({ inspections: 1, saves: 1, audits: 1, photos: 0 });
  });

  it("the later tap wins: an older save arriving after a newer one changes nothing", async () => {
    const newer = crypto.randomUUID();
    const older = crypto.randomUUID();
    expect((await send(v.inspector1, v.B, scoreOf(newer, 50, 45, china(2026, 11, 10, 9)))).reply.ok).toBe(true);
    const late = await send(v.inspector1, v.B, scoreOf(older, 20, 20, china(2026, 11, 10, 8)));
    expect(late).toEqual({ status: 200, reply: { ok: true, message: "002号户已有你后来保存的结果，以后来的为准" } });
    expect(await inspectionOf(roundId, v.B)).toMatchObject({ total: 95, version: 1 });
    expect(await send(v.inspector1, v.B, scoreOf(older, 20, 20, china(2026, 11, 10, 8)))).toEqual(late);
    expect(await written(v.B)).toMatchObject({ inspections: 1, saves: 2, audits: 1 });
  });

  it("refuses a key used for another household, and keys that are not a phone's", async () => {
    const key = crypto.randomUUID();
    expect((await send(v.inspector2, v.E, { ...scoreOf(key, 30, 30), version: "1" })).reply.ok).toBe(true);
    const before = await written(v.E);
    const reused = await send(v.inspector2, v.D, { ...scoreOf(key, 30, 30), version: "1" });
    expect(reused).toEqual({ status: 409, reply: { ok: false, message: "这次保存的编号已经用过了，没有保存。请重新打开这户再评分" } });
    for (const bad of ["abc", `${crypto.randomUUID()}${"0".repeat(200)}`, "", crypto.randomUUID().toUpperCase(), "../../etc/passwd"]) {
      const out = await send(v.inspector2, v.E, { ...scoreOf(bad, 10, 10), version: "2" });
      expect(out, bad).toEqual({ status: 400, reply: { ok: false, message: "这次保存的编号不对，没有保存。请重新打开这户再评分" } });
    }
    const noKey = await send(v.inspector2, v.E, { intent: "score", s0: "1", s1: "1", version: "2" });
    expect(noKey.status).toBe(400);
    expect(noKey.reply.message).toBe("这次保存的编号不对，没有保存。请重新打开这户再评分");
    const badTime = await send(v.inspector2, v.E, { ...scoreOf(crypto.randomUUID(), 1, 1), at: "昨天" });
    expect(badTime.status).toBe(400);
    const badScore = await send(v.inspector2, v.E, { ...scoreOf(crypto.randomUUID(), 99, 1), version: "2" });
    expect(badScore).toEqual({ status: 400, reply: { ok: false, message: "庭院整洁应为 0 到 50 的整数" } });
    expect(await written(v.E)).toEqual(before);
    expect(await count("select count(*) as n from inspection_saves where round_id = ?", roundId)).toBe(6);
  });

  it("refuses a save from a grid the inspector no longer has, in words, and writes nothing", async () => {
    const committee = { userId: v.committee1, role: "committee", villageId: v.villageId };
    // Grid 一 goes to inspector 2 alone; inspector 1 keeps nothing of this round.
    expect(await assignInspectors(committee, v.villageId, roundId, [`${v.g1}-${v.inspector2}`, `${v.g2}-${v.inspector2}`])).toMatchObject({ ok: true });
    const out = await send(v.inspector1, v.C, { ...scoreOf(crypto.randomUUID(), 10, 10), version: "1" });
    expect(out).toEqual({ status: 403, reply: { ok: false, message: "这户已不归你检查（村委改了分工），这次保存的评分没有交上。请联系村委" } });
    expect(await inspectionOf(roundId, v.C)).toMatchObject({ total: 85, version: 1 });
    expect(await written(v.C)).toEqual({ inspections: 1, saves: 1, audits: 1, photos: 1 });
  });

  it("refuses a save that arrives after the round was published, in words, and writes nothing", async () => {
    const late = crypto.randomUUID();
    // Everyone scored: publishing needs no household left.
    expect((await send(v.inspector2, v.A, scoreOf(crypto.randomUUID(), 40, 40))).reply.ok).toBe(true);
    const pub = await publishRound({ userId: v.committee1, role: "committee" }, v.villageId, roundId);
    expect(pub).toMatchObject({ ok: true });
    const out = await send(v.inspector2, v.D, { ...scoreOf(late, 10, 10), version: "1" });
    expect(out).toEqual({ status: 400, reply: { ok: false, message: "评比已公布，不能再改分" } });
    expect(await inspectionOf(roundId, v.D)).toMatchObject({ total: 95, version: 1 });
    expect(await count("select count(*) as n from inspection_saves where key = ?", late)).toBe(0);
  });
});
