// The inspector's phone side of offline scoring (browser only; every function is called from an
// effect or an event, never while rendering on the server). A save made with no signal is kept in
// IndexedDB, photos as Blobs, under a key made when it was kept; the list page sends what waits, in
// the order it was kept, when the phone comes online, when a scoring page opens online, or on 立即发送.
// The key makes sending twice harmless (the server answers a resend as it answered the first), so a
// lost answer or two tabs sending at once cost nothing but bandwidth.
import { OFFLINE_CACHE, OFFLINE_DB } from "./offline-names";

export type KeptState = "waiting" | "failed" | "sent";

export interface KeptSave {
  key: string;
  round: string; // "villageId-roundId"
  householdId: number;
  label: string; // "003号户 丙"
  summary: string; // "85 分" / "未检查"
  at: number; // when it was tapped (the phone's clock): the order of sending, and which of two saves wins
  sendUrl: string;
  fields: [string, string][];
  photos: Blob[];
  state: KeptState;
  message: string | null; // the server's answer, or why sending failed
}

const STORE = "saves";

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(OFFLINE_DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "key" });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const db = await openDb();
  try {
    return await new Promise<T | undefined>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req ? req.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export async function keptSaves(round: string): Promise<KeptSave[]> {
  const all = ((await withStore<KeptSave[]>("readonly", (s) => s.getAll() as IDBRequest<KeptSave[]>)) ?? []).filter((k) => k.round === round);
  return all.sort((a, b) => a.at - b.at);
}

/** A key in crypto.randomUUID's shape, made with getRandomValues (randomUUID needs https). */
export function newSaveKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Keeps a save; an older kept save of the same household that was not sent yet is replaced by it. */
export async function keepSave(save: Omit<KeptSave, "state" | "message">): Promise<void> {
  const older = (await keptSaves(save.round)).filter((k) => k.householdId === save.householdId);
  const db = await openDb();
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, "readwrite");
      const s = tx.objectStore(STORE);
      for (const k of older) s.delete(k.key);
      s.put({ ...save, state: "waiting", message: null });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export async function forgetSave(key: string): Promise<void> {
  await withStore("readwrite", (s) => s.delete(key));
}

/** Drops what was sent (the list page shows the server's state again once it loads online). */
export async function forgetSent(round: string): Promise<void> {
  for (const k of await keptSaves(round)) if (k.state === "sent") await forgetSave(k.key);
}

async function setState(key: string, state: KeptState, message: string | null): Promise<void> {
  const db = await openDb();
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, "readwrite");
      const s = tx.objectStore(STORE);
      const get = s.get(key);
      get.onsuccess = () => {
        if (get.result) s.put({ ...get.result, state, message, photos: state === "sent" ? [] : get.result.photos });
      };
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export type SendOutcome = "done" | "offline" | "signed-out";

let sending: Promise<SendOutcome> | null = null;

/** Sends every waiting save of the round, oldest first; stops at the first that cannot reach the server. */
export function sendKept(round: string): Promise<SendOutcome> {
  sending ??= sendAll(round).finally(() => (sending = null));
  return sending;
}

async function sendAll(round: string): Promise<SendOutcome> {
  for (const k of await keptSaves(round)) {
    if (k.state !== "waiting") continue;
    const body = new FormData();
    for (const [name, value] of k.fields) body.append(name, value);
    k.photos.forEach((p, i) => body.append("photos", p, `photo-${i + 1}.jpg`));
    body.set("key", k.key);
    body.set("at", String(k.at));
    let res: Response;
    try {
      res = await fetch(k.sendUrl, { method: "POST", body, credentials: "same-origin", redirect: "manual", headers: { accept: "application/json" } });
    } catch {
      return "offline"; // no signal after all: it stays waiting, in its place
    }
    if (res.type === "opaqueredirect" || res.status === 401) return "signed-out";
    if (res.status >= 500) return "offline"; // the server's trouble, not the save's: try again later
    let reply: { ok?: boolean; message?: string } = {};
    try {
      reply = await res.json();
    } catch {
      reply = { ok: false, message: res.status === 404 ? "找不到这户，可能已不在你的网格" : "服务器没有接收这次评分" };
    }
    await setState(k.key, res.ok && reply.ok ? "sent" : "failed", reply.message ?? null);
  }
  return "done";
}

/**
 * Stores the round's list, each household page the inspector may score, and the JS/CSS they load,
 * so they open with no signal. Returns how many households are ready. Pages are fetched a few at a
 * time; the JS/CSS are read off the pages themselves (their /build/ addresses).
 */
export async function prepareOffline(listUrl: string, householdUrls: string[]): Promise<number> {
  const cache = await caches.open(OFFLINE_CACHE);
  const assets = new Set<string>(["/favicon.svg"]);
  const take = async (url: string): Promise<boolean> => {
    const res = await fetch(url, { credentials: "same-origin" });
    if (res.status !== 200 || res.redirected) return false;
    const html = await res.clone().text();
    for (const m of html.matchAll(/\/build\/[^"'\s)]+?\.(?:js|css)/g)) assets.add(m[0]);
    await cache.put(url, res);
    return true;
  };
  if (!(await take(listUrl))) return 0;
  let ready = 0;
  for (let i = 0; i < householdUrls.length; i += 4) {
    const done = await Promise.all(householdUrls.slice(i, i + 4).map((u) => take(u).catch(() => false)));
    ready += done.filter(Boolean).length;
  }
  await Promise.all(
    [...assets].map(async (a) => {
      if (await cache.match(a)) return;
      const res = await fetch(a);
      if (res.ok) await cache.put(a, res);
    }),
  );
  return ready;
}

/** Registers the round's service worker (scoped to its scoring pages); false where the browser has none (plain http). */
export async function registerScoringWorker(villageId: number, roundId: number): Promise<boolean> {
  if (!("serviceWorker" in navigator) || !("caches" in window) || !("indexedDB" in window)) return false;
  const scope = `/v/${villageId}/rounds/${roundId}/score`;
  await navigator.serviceWorker.register(`${scope}/sw.js`, { scope });
  return true;
}
