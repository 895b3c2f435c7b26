// Evidence photos over HTTP, through the production server. Who sees a claim's photos in each state:
// before 公示 only its household, its filer and the committee, from 公示 on anyone of the village,
// everyone else the 404 of a photo that does not exist; URLs carry a random key, never the id.
// What is stored: a phone picture with a GPS position comes back upright, at most 1600 px on its
// long edge, without EXIF, XMP, ICC or comments, and the file on disk is exactly what is served.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp, { type Metadata } from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, signInEach, startServer, type TestServer } from "../support/harness";
import { onPostgres, sqlOn } from "../support/sql";

const PHONES = {
  villager: "13900000001", keeper: "13900000002", committee: "13900000003", inspector: "13900000004", villageAdmin: "13900000005",
  township: "13900000000", foreign: "13900000011",
};
type Who = keyof typeof PHONES | "neighbour";

let server: TestServer;
let database: Engine;
let c: Map<Who, Client>;
let v = 0; // the demo village of 13900000001
let neighbourPhone = "";
const one = async <T>(text: string, ...a: unknown[]) => (await sqlOn(database).get<T>(text, ...a)) as T;
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * Where the server keeps its files: beside DATABASE_PATH. On SQLite that is the database file; on
 * PostgreSQL the harness points DATABASE_PATH at a folder it does not expose, so this test names one.
 */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-photos-"));
const folder = () => path.join(onPostgres() ? dataDir : path.dirname(server.database), "photos");

beforeAll(async () => {
  server = await startServer(onPostgres() ? { DATABASE_PATH: path.join(dataDir, "app.sqlite") } : {});
  database = openDatabase(server.database);
  c = (await signInEach(server.url, PHONES)) as Map<Who, Client>;
  const me = await one<{ household_id: number; village_id: number }>("select m.household_id, m.village_id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.villager);
  v = me.village_id;
  // A plain villager of another household of the same village: no staff role.
  const neighbour = await one<{ phone: string }>(
    `select u.phone from users u join members m on m.id = u.member_id and m.active = 1
     where m.village_id = ? and m.household_id <> ? and u.phone not like '1390000%'
       and not exists (select 1 from user_roles x where x.user_id = u.id and x.role not in ('villager', 'household_head')) order by u.id limit 1`,
    v, me.household_id,
  );
  neighbourPhone = neighbour.phone;
  const n = new Client(server.url);
  await n.login(neighbourPhone);
  c.set("neighbour", n);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A picture as a phone takes it: EXIF with a GPS position and a description, rotated by an orientation tag, with an ICC profile. */
async function phonePicture(width: number, height: number, orientation = 1): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: "#4a7c3f" } })
    .withExif({
      IFD0: { ImageDescription: "GPS-TEST-MARKER", Make: "TestPhone" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "30/1 15/1 3021/100", GPSLongitudeRef: "E", GPSLongitude: "120/1 9/1 4455/100" },
    })
    .withMetadata({ orientation })
    .withIccProfile("p3")
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** The tags of a TIFF/EXIF block's first directory (sharp's metadata().exif starts with "Exif\0\0"). */
function ifd0Tags(exif: Buffer): number[] {
  const t = exif.subarray(exif.subarray(0, 6).toString("latin1") === "Exif\0\0" ? 6 : 0);
  const le = t.toString("latin1", 0, 2) === "II";
  const u16 = (o: number) => (le ? t.readUInt16LE(o) : t.readUInt16BE(o));
  const at = le ? t.readUInt32LE(4) : t.readUInt32BE(4);
  return Array.from({ length: u16(at) }, (_, i) => u16(at + 2 + i * 12));
}
const GPS_IFD = 0x8825;

/** The marker segments of a JPEG before its image data. */
function jpegSegments(b: Buffer): number[] {
  expect([b[0], b[1]]).toEqual([0xff, 0xd8]);
  const out: number[] = [];
  let i = 2;
  while (b[i] === 0xff && b[i + 1] !== 0xda) {
    out.push(b[i + 1]);
    i += 2 + b.readUInt16BE(i + 2);
  }
  return out;
}

/** Served bytes carry no metadata at all: no APP1 (EXIF, XMP), APP2 (ICC) or COM segment, nothing sharp reads back. */
async function expectClean(bytes: Buffer): Promise<Metadata> {
  const segments = jpegSegments(bytes);
  for (const banned of [0xe1, 0xe2, 0xfe]) expect(segments, `segment 0x${banned.toString(16)}`).not.toContain(banned);
  expect(bytes.includes("GPS-TEST-MARKER")).toBe(false);
  expect(bytes.includes("Exif\0\0")).toBe(false);
  const meta = await sharp(bytes).metadata();
  expect({ exif: meta.exif, xmp: meta.xmp, icc: meta.icc, comments: meta.comments }).toEqual({ exif: undefined, xmp: undefined, icc: undefined, comments: undefined });
  expect(meta.format).toBe("jpeg");
  return meta;
}

async function fileClaim(who: Who, url: string, fields: Record<string, string>, photos: Buffer[]): Promise<number> {
  const fd = new FormData();
  for (const [k, val] of Object.entries({ date: today(), quantity: "1", note: "照片测试", ...fields })) fd.append(k, val);
  for (const [i, p] of photos.entries()) fd.append("photos", new Blob([new Uint8Array(p)], { type: "image/jpeg" }), `IMG_${i}.jpg`);
  const r = await c.get(who)!.post(url, fd);
  expect([200, 302], r.text.slice(0, 300)).toContain(r.status);
  expect(r.text).not.toContain("field-error");
  return (await one<{ id: number }>("select id from claims order by id desc limit 1")).id;
}

const keysOf = async (claimId: number) => (await sqlOn(database).all<{ key: string }>("select key from claim_photos where claim_id = ? order by id", claimId)).map((p) => p.key);
const statusFor = async (who: Who, url: string) => (await c.get(who)!.get(url)).status;

async function statuses(url: string, whos: Who[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const who of whos) out[who] = await statusFor(who, url);
  return out;
}

const VILLAGE_PEOPLE: Who[] = ["villager", "neighbour", "keeper", "committee", "inspector", "villageAdmin", "township"];

describe("who sees a claim's evidence photos", () => {
  it("pending: the household, the filer and the committee; 公示: the whole village; never by a numeric id", async () => {
    const me = (await one<{ member_id: number }>("select member_id from users where phone = ?", PHONES.villager)).member_id;
    const rule = (await one<{ id: number }>("select id from rules where village_id = ? and name = '参加防汛抗旱'", v)).id;
    const claimId = await fileClaim("villager", "/claims/new", { memberId: String(me), ruleId: String(rule) }, [await phonePicture(400, 300)]);
    const [key] = await keysOf(claimId);
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const url = `/v/${v}/photos/${key}`;

    // 待审核: the household (who filed it) and the committee; any other person of the village gets the 404 of a missing photo.
    expect(await statuses(url, VILLAGE_PEOPLE)).toEqual({ villager: 200, neighbour: 404, keeper: 404, committee: 200, inspector: 404, villageAdmin: 404, township: 404 });
    expect(await statusFor("foreign", url)).toBe(403); // another village: refused before any photo is looked up
    expect((await new Client(server.url).get(url)).status).toBe(302);
    const missing = await c.get("neighbour")!.get(`/v/${v}/photos/${"A".repeat(22)}`);
    const hidden = await c.get("neighbour")!.get(url);
    expect([hidden.status, hidden.text]).toEqual([missing.status, missing.text]); // no oracle: the same answer

    // The old sequential id, and keys that are not keys, are 404 even for the household (never a 500).
    const id = (await one<{ id: number }>("select id from claim_photos where key = ?", key)).id;
    for (const bad of [String(id), "0", "abc", "A".repeat(23), "%00", "..%2F..%2Fapp.sqlite", key.slice(0, 21) + "!"]) {
      expect(await statusFor("villager", `/v/${v}/photos/${bad}`), bad).toBe(404);
    }
    // The review page links the photo by its key, not by its id.
    const page = await c.get("committee")!.get(`/v/${v}/review/${claimId}`);
    expect(page.text).toContain(`/v/${v}/photos/${key}`);
    expect(page.text).not.toContain(`/v/${v}/photos/${id}"`);

    // 公示中 (and from then on): anyone of the village.
    const ok = await c.get("committee")!.post(`/v/${v}/review/${claimId}`, { intent: "approve" });
    // Approved: the member is sent on to the next claim (issue 15), which says what was done.
    expect(ok.status).toBe(303);
    expect((await c.get("committee")!.get(ok.location!)).text).toContain("进入公示");
    expect(await statuses(url, VILLAGE_PEOPLE)).toEqual({ villager: 200, neighbour: 200, keeper: 200, committee: 200, inspector: 200, villageAdmin: 200, township: 200 });
    expect(await statusFor("foreign", url)).toBe(403);

    // An objection upheld rejects it, but it was posted: it stays visible to the village.
    const objected = await c.get("neighbour")!.post(`/v/${v}/notice`, { claimId: String(claimId), reason: "那天没看到他去" });
    expect(objected.text).toContain("已提交异议");
    const objection = (await one<{ id: number }>("select id from objections where claim_id = ?", claimId)).id;
    const upheld = await c.get("committee")!.post(`/v/${v}/review/${claimId}`, { intent: "uphold", objectionId: String(objection), note: "核实没有参加" });
    expect(upheld.text).toContain("异议成立");
    expect((await one<{ status: string }>("select status from claims where id = ?", claimId)).status).toBe("rejected");
    expect(await statusFor("neighbour", url)).toBe(200);
  });

  it("rejected at review: still only the household, the filer and the committee", async () => {
    const me = (await one<{ member_id: number }>("select member_id from users where phone = ?", PHONES.villager)).member_id;
    const rule = (await one<{ id: number }>("select id from rules where village_id = ? and name = '参加防汛抗旱'", v)).id;
    const claimId = await fileClaim("villager", "/claims/new", { memberId: String(me), ruleId: String(rule) }, [await phonePicture(300, 200)]);
    const r = await c.get("committee")!.post(`/v/${v}/review/${claimId}`, { intent: "reject", reason: "当天没有防汛任务" });
    expect(r.status).toBe(303); // on to the next claim (issue 15)
    expect((await one<{ status: string }>("select status from claims where id = ?", claimId)).status).toBe("rejected");
    const url = `/v/${v}/photos/${(await keysOf(claimId))[0]}`;
    expect(await statuses(url, VILLAGE_PEOPLE)).toEqual({ villager: 200, neighbour: 404, keeper: 404, committee: 200, inspector: 404, villageAdmin: 404, township: 404 });
  });

  it("a deduction the inspector filed: the inspector (filer) and the household see it while pending, other households do not", async () => {
    const target = await one<{ member_id: number }>("select member_id from users where phone = ?", neighbourPhone);
    const rule = (await one<{ id: number }>("select id from rules where village_id = ? and name = '乱扔垃圾'", v)).id;
    const claimId = await fileClaim("inspector", `/v/${v}/claims/new`, { memberId: String(target.member_id), ruleId: String(rule) }, [await phonePicture(300, 200)]);
    const url = `/v/${v}/photos/${(await keysOf(claimId))[0]}`;
    expect(await statuses(url, VILLAGE_PEOPLE)).toEqual({ villager: 404, neighbour: 200, keeper: 404, committee: 200, inspector: 200, villageAdmin: 404, township: 404 });
  });
});


describe("what is stored of an uploaded photo", () => {
  /** Every stored photo file: none may keep an original's metadata. */
  const allFiles = (dir = folder()): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));

  it("a claim photo with a GPS position: upright, at most 1600 px, no metadata, and the file on disk is what is served", async () => {
    const original = await phonePicture(4000, 3000, 6); // a phone held upright: stored landscape, orientation 6
    const meta = await sharp(original).metadata();
    expect(ifd0Tags(meta.exif!)).toContain(GPS_IFD); // the test picture does carry a GPS position
    expect([meta.width, meta.height, meta.orientation, !!meta.icc]).toEqual([4000, 3000, 6, true]);

    const me = (await one<{ member_id: number }>("select member_id from users where phone = ?", PHONES.villager)).member_id;
    const rule = (await one<{ id: number }>("select id from rules where village_id = ? and name = '参加防汛抗旱'", v)).id;
    const claimId = await fileClaim("villager", "/claims/new", { memberId: String(me), ruleId: String(rule) }, [original]);
    const row = await one<{ key: string; file: string; mime: string; bytes: number; cleaned_at: number | null }>("select key, file, mime, bytes, cleaned_at from claim_photos where claim_id = ?", claimId);
    const served = await fetchBytes("villager", `/v/${v}/photos/${row.key}`);
    const out = await expectClean(served);
    expect([out.width, out.height]).toEqual([1200, 1600]); // turned upright, long edge 1600
    expect(out.orientation ?? 1).toBe(1);
    expect(row).toMatchObject({ mime: "image/jpeg", bytes: served.length });
    expect(row.cleaned_at).not.toBeNull();
    expect(fs.readFileSync(path.join(folder(), row.file)).equals(served)).toBe(true);
    for (const f of allFiles()) expect(fs.readFileSync(f).includes("GPS-TEST-MARKER"), f).toBe(false); // no original kept anywhere
  });

  it("a small photo is not enlarged", async () => {
    const me = (await one<{ member_id: number }>("select member_id from users where phone = ?", PHONES.villager)).member_id;
    const rule = (await one<{ id: number }>("select id from rules where village_id = ? and name = '参加防汛抗旱'", v)).id;
    const claimId = await fileClaim("villager", "/claims/new", { memberId: String(me), ruleId: String(rule) }, [await phonePicture(640, 480)]);
    const out = await expectClean(await fetchBytes("villager", `/v/${v}/photos/${(await keysOf(claimId))[0]}`));
    expect([out.width, out.height]).toEqual([640, 480]);
  });

  it("an inspection photo with a GPS position, through the scoring form: the same", async () => {
    const inspector = (await one<{ id: number }>("select id from users where phone = ?", PHONES.inspector)).id;
    const open = (await one<{ id: number }>("select id from sanitation_rounds where village_id = ? and status = 'open'", v)).id;
    const home = (await one<{ household_id: number | null } | undefined>("select m.household_id from users u join members m on m.id = u.member_id where u.id = ?", inspector))?.household_id ?? 0;
    const h = (await one<{ id: number }>(
      `select h.id from households h join round_inspectors ri on ri.grid_id = h.grid_id and ri.round_id = ? and ri.user_id = ?
       where h.id <> ? and not exists (select 1 from inspection_recusals x where x.user_id = ? and x.household_id = h.id) order by h.number limit 1`,
      open, inspector, home, inspector,
    )).id;
    const version = (await one<{ version: number } | undefined>("select version from inspections where round_id = ? and household_id = ?", open, h))?.version ?? 0;
    const fd = new FormData();
    for (const [k, val] of Object.entries({ intent: "score", version: String(version), s0: "20", s1: "20", s2: "20", s3: "20", s4: "15", note: "" })) fd.append(k, val);
    fd.append("photos", new Blob([new Uint8Array(await phonePicture(3000, 4000))], { type: "image/jpeg" }), "IMG_1.jpg");
    const r = await c.get("inspector")!.post(`/v/${v}/rounds/${open}/score/${h}`, fd);
    expect(r.status, r.text.slice(0, 300)).toBe(303);
    const row = await one<{ key: string; file: string; bytes: number }>(
      "select p.key, p.file, p.bytes from inspection_photos p join inspections i on i.id = p.inspection_id where i.round_id = ? and i.household_id = ?", open, h,
    );
    const url = `/v/${v}/rounds/${open}/photos/${row.key}`;
    const served = await fetchBytes("inspector", url);
    const out = await expectClean(served);
    expect([out.width, out.height]).toEqual([1200, 1600]);
    expect(row.bytes).toBe(served.length);
    expect(fs.readFileSync(path.join(folder(), row.file)).equals(served)).toBe(true);
    // The scoring page links it by key; the numeric id is a 404; a villager of another household gets 404.
    expect((await c.get("inspector")!.get(`/v/${v}/rounds/${open}/score/${h}`)).text).toContain(url);
    const id = (await one<{ id: number }>("select id from inspection_photos where key = ?", row.key)).id;
    expect(await statusFor("inspector", `/v/${v}/rounds/${open}/photos/${id}`)).toBe(404);
    expect(await statusFor("villager", url)).toBe(404);
    expect(await statusFor("committee", url)).toBe(200);
  });

  it("a good's photo uploaded by the village admin keeps no GPS position either", async () => {
    const store = (await one<{ id: number }>("select id from stores where village_id = ? order by id", v)).id;
    const picture = await sharp({ create: { width: 900, height: 700, channels: 3, background: "#c33" } })
      .withExif({ IFD0: { ImageDescription: "GPS-TEST-MARKER" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "30/1 15/1 0/1" } })
      .jpeg({ quality: 80 }).toBuffer();
    expect(ifd0Tags((await sharp(picture).metadata()).exif!)).toContain(GPS_IFD);
    const fd = new FormData();
    for (const [k, val] of Object.entries({ intent: "good.save", storeId: String(store), name: "照片测试香皂", category: "日用", unit: "块", price: "5", cost: "2", monthlyLimit: "", lowStock: "3", active: "on" })) fd.append(k, val);
    fd.append("photo", new Blob([new Uint8Array(picture)], { type: "image/jpeg" }), "soap.jpg");
    const made = await c.get("villageAdmin")!.post(`/v/${v}/admin/goods/new`, fd);
    expect(made.status, made.text.slice(0, 300)).toBe(302);
    const goodId = Number(/goods\/(\d+)/.exec(made.location!)![1]);
    const served = await fetchBytes("villager", `/photos/goods/${goodId}`);
    expect(served.includes("GPS-TEST-MARKER")).toBe(false);
    const meta = await sharp(served).metadata();
    expect({ format: meta.format, exif: meta.exif, icc: meta.icc, width: meta.width }).toEqual({ format: "webp", exif: undefined, icc: undefined, width: 640 });
    expect((await one<{ photo_cleaned_at: number | null }>("select photo_cleaned_at from goods where id = ?", goodId)).photo_cleaned_at).not.toBeNull();
  });
});

async function fetchBytes(who: Who, url: string): Promise<Buffer> {
  const cl = c.get(who)!;
  const res = await fetch(server.url + url, { headers: { cookie: [...cl.cookies].map(([k, val]) => `${k}=${val}`).join("; ") } });
  expect(res.status, url).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}
