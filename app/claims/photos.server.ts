// Evidence photos: only real JPEG, PNG or WebP (judged by the file's first bytes, never by its name
// or the browser's word), at most 5 MB each and 3 per claim, re-encoded without metadata and
// shrunk (photos/clean.server.ts), stored in the data folder beside the database. A photo's URL
// carries a random key, never its sequential id. Who may see a claim's photos: see claimPhoto.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { findGrant, isOfVillage, notFound, type Viewer } from "~/platform/access.server";
import { now } from "~/platform/clock.server";
import { dataFolder } from "~/platform/env.server";
import { db } from "~/platform/database.server";
import { cleanImage, EVIDENCE } from "~/photos/clean.server";
import type { StoredPhoto } from "./claims.server";
import { MAX_PHOTO_BYTES, MAX_PHOTO_MB, MAX_PHOTOS } from "./labels";

export { MAX_PHOTO_BYTES, MAX_PHOTOS } from "./labels";

const KINDS: { mime: string; ext: string; test: (b: Buffer) => boolean }[] = [
  { mime: "image/jpeg", ext: "jpg", test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: "image/png", ext: "png", test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: "image/webp", ext: "webp", test: (b) => b.length > 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP" },
];

export function photoFolder(): string {
  return path.join(dataFolder(), "photos");
}

/** The files a form sent under `name`, ignoring the empty part a browser sends when none is chosen. */
export function uploadedFiles(form: FormData, name = "photos"): File[] {
  return form.getAll(name).filter((v): v is File => typeof v !== "string" && v.size > 0);
}

export interface CheckedPhoto {
  bytes: Buffer;
  mime: string;
  ext: string;
}

/**
 * Reads, checks and cleans the uploads; a message for the photo field when any is refused. The
 * first-bytes check stays in front of sharp: it keeps sharp to the three formats a phone sends
 * (sharp would also read SVG, TIFF, GIF, HEIF...) and answers a wrong file without decoding it.
 * The photos returned are the cleaned bytes, always JPEG; the originals go no further.
 */
export async function checkPhotos(files: File[]): Promise<{ ok: true; photos: CheckedPhoto[] } | { ok: false; message: string }> {
  if (files.length > MAX_PHOTOS) return { ok: false, message: `最多上传 ${MAX_PHOTOS} 张照片` };
  const originals: Buffer[] = [];
  for (const [i, f] of files.entries()) {
    if (f.size > MAX_PHOTO_BYTES) return { ok: false, message: `第 ${i + 1} 张照片超过 ${MAX_PHOTO_MB} MB，请换一张小一些的` };
    const bytes = Buffer.from(await f.arrayBuffer());
    if (!KINDS.some((k) => k.test(bytes))) return { ok: false, message: `第 ${i + 1} 张不是照片，只能上传 JPG、PNG 或 WebP 图片` };
    originals.push(bytes);
  }
  const photos: CheckedPhoto[] = [];
  for (const [i, bytes] of originals.entries()) {
    const clean = await cleanImage(bytes);
    if (!clean) return { ok: false, message: `第 ${i + 1} 张照片无法识别，请换一张` };
    photos.push({ bytes: clean, mime: EVIDENCE.mime, ext: EVIDENCE.ext });
  }
  return { ok: true, photos };
}

const KEY = /^[A-Za-z0-9_-]{22}$/;

/** A new photo's URL key: 16 random bytes (128 bits), base64url. */
export function newPhotoKey(): string {
  return crypto.randomBytes(16).toString("base64url");
}

/** Parses a route's photo key; anything else (an old numeric id, a typo) is a 404, never a 500. */
export function photoKeyParam(value: string | undefined): string {
  if (!value || !KEY.test(value)) notFound();
  return value;
}

/** Writes the photos before the claim's transaction; the caller removes them if that transaction fails. */
export function storePhotos(villageId: number, photos: CheckedPhoto[]): StoredPhoto[] {
  const dir = path.join(photoFolder(), String(villageId));
  if (photos.length) fs.mkdirSync(dir, { recursive: true });
  return photos.map((p) => {
    const file = `${villageId}/${crypto.randomBytes(16).toString("hex")}.${p.ext}`;
    fs.writeFileSync(path.join(photoFolder(), file), p.bytes, { flag: "wx", mode: 0o600 });
    return { file, mime: p.mime, bytes: p.bytes.length, cleanedAt: now() };
  });
}

export function removePhotos(stored: StoredPhoto[]): void {
  for (const p of stored) fs.rmSync(path.join(photoFolder(), p.file), { force: true });
}

/** A stored photo file's bytes, or null when it is gone. */
export function readPhotoFile(file: string): Buffer | null {
  try {
    return fs.readFileSync(path.join(photoFolder(), file));
  } catch {
    return null;
  }
}

/**
 * A claim's photo for this viewer (the caller has checked the viewer belongs to the village), or
 * null, the same for a photo that does not exist and one the viewer may not see. Until the claim
 * first enters 公示 (pending, or rejected at review) its evidence is for its household, whoever
 * filed it and the committee that reviews it. From 公示 on (in 公示, objected, credited, revoked,
 * or rejected after an upheld objection or a withdrawal) it was posted, and anyone of the village
 * may see it. approved_at is set exactly when a claim enters 公示 and never cleared.
 */
export async function claimPhoto(viewer: Viewer, villageId: number, key: string): Promise<{ body: Buffer; mime: string } | null> {
  const row = await db()
    .selectFrom("claim_photos as p")
    .innerJoin("claims as c", "c.id", "p.claim_id")
    .select(["p.file", "p.mime", "c.household_id", "c.filer_user_id", "c.approved_at"])
    .where("p.key", "=", key)
    .where("p.village_id", "=", villageId)
    .executeTakeFirst();
  if (!row) return null;
  const posted = row.approved_at !== null && isOfVillage(viewer, villageId);
  const involved = viewer.householdId === row.household_id || viewer.userId === row.filer_user_id || !!findGrant(viewer, ["committee"], villageId);
  if (!posted && !involved) return null;
  const body = readPhotoFile(row.file);
  return body ? { body, mime: row.mime } : null;
}
