// The scoring pages' offline parts (browser side): the hook that keeps the phone's waiting saves in
// view and sends them, the status box of the list page, and the form handler that keeps a save on
// the phone when there is no signal. Online, the forms post to the server exactly as without it.
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { forgetSave, forgetSent, keepSave, keptSaves, newSaveKey, prepareOffline, registerScoringWorker, sendKept, type KeptSave } from "./offline-queue";
import type { ChecklistSpec } from "./labels";
import { SANITATION_MAX } from "./labels";

const MAX_PHOTOS = 3;
const MAX_PHOTO_MB = 5;
const FLASH = "jifen-offline-kept";
const readyKey = (round: string) => `jifen-offline-ready-${round}`;

/** Whether the phone has a signal, after hydration (the server and the first render say yes). */
export function useOnline(): boolean {
  const [online, setOnline] = useState(true);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    update();
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

export interface OfflineScoring {
  online: boolean;
  saves: KeptSave[];
  waiting: number;
  ready: number | null; // households stored for offline use
  preparing: boolean;
  unsupported: boolean;
  sending: boolean;
  note: string | null;
  flash: string | null;
  sendNow: () => void;
  forget: (key: string) => void;
}

/**
 * The round's saves kept on this phone; sends the waiting ones when the page opens online and when
 * the signal comes back. `prepare` (the list page): the household pages to store for offline use.
 */
export function useOfflineScoring(villageId: number, roundId: number, prepare: string[] | null, onSent?: () => void): OfflineScoring {
  const round = `${villageId}-${roundId}`;
  const online = useOnline();
  const [saves, setSaves] = useState<KeptSave[]>([]);
  const [ready, setReady] = useState<number | null>(null);
  const [preparing, setPreparing] = useState(false);
  const [unsupported, setUnsupported] = useState(false);
  const [sending, setSending] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const sentRef = useRef(onSent);
  sentRef.current = onSent;

  const isList = prepare !== null;
  const reload = useCallback(async () => setSaves(await keptSaves(round)), [round]);
  const send = useCallback(async () => {
    if (!navigator.onLine) return;
    const before = (await keptSaves(round)).filter((k) => k.state === "waiting").length;
    if (before === 0) return;
    setSending(true);
    try {
      const out = await sendKept(round);
      setNote(out === "signed-out" ? "登录已过期，请重新登录后再发送，评分还在手机上" : out === "offline" ? "网络不好，没有发完，有网后会自动再发" : null);
      await reload();
      setFlash(null); // "kept on the phone" is old news once sent
      sentRef.current?.();
    } finally {
      setSending(false);
    }
  }, [round, reload]);

  useEffect(() => {
    if (!("indexedDB" in window)) return setUnsupported(true);
    const kept = sessionStorage.getItem(FLASH);
    if (kept) {
      sessionStorage.removeItem(FLASH);
      setFlash(kept);
    }
    const stored = localStorage.getItem(readyKey(round));
    if (stored) setReady(Number(stored));
    void (async () => {
      // Online, the page shows the server's state: what was sent before needs no badge any more.
      if (navigator.onLine && isList) await forgetSent(round);
      await reload();
      await send();
    })();
    const back = () => void send();
    window.addEventListener("online", back);
    return () => window.removeEventListener("online", back);
  }, [round, reload, send, isList]);

  const prepareKey = prepare ? prepare.join(",") : null;
  useEffect(() => {
    if (prepareKey === null || !navigator.onLine) return;
    let alive = true;
    void (async () => {
      try {
        if (!(await registerScoringWorker(villageId, roundId))) return alive && setUnsupported(true);
        setPreparing(true);
        const n = await prepareOffline(`/v/${villageId}/rounds/${roundId}/score`, prepareKey ? prepareKey.split(",") : []);
        localStorage.setItem(readyKey(round), String(n));
        if (alive) setReady(n);
      } catch {
        if (alive) setNote("离线评分没有准备好（网络断了），有网时再打开这一页");
      } finally {
        if (alive) setPreparing(false);
      }
    })();
    return () => {
      alive = false;
    };
  }, [prepareKey, villageId, roundId, round]);

  const waiting = saves.filter((k) => k.state === "waiting").length;
  return { online, saves, waiting, ready, preparing, unsupported, sending, note, flash, sendNow: () => void send(), forget: (key: string) => void forgetSave(key).then(reload) };
}

/** The list page's box: ready for offline use, how many wait, 立即发送. */
export function OfflineBox({ s }: { s: OfflineScoring }) {
  const failed = s.saves.filter((k) => k.state === "failed").length;
  return (
    <div className="offline-box" data-testid="offline-box">
      {s.flash ? <p className="form-ok" role="status">{s.flash}</p> : null}
      {!s.online ? <p className="offline-now" role="status">现在没有网络。评分会先存在手机上，有网后自动发送。</p> : null}
      {s.unsupported ? <p className="muted small">这个浏览器不能离线评分，请在有网的地方评分。</p> : null}
      {s.preparing ? <p className="muted small">正在准备离线评分……</p> : s.ready !== null ? <p className="muted small" data-testid="offline-ready">离线评分已准备好：{s.ready} 户</p> : null}
      {s.waiting > 0 ? (
        <div className="offline-waiting">
          <strong data-testid="offline-waiting">还有 {s.waiting} 户待发送</strong>
          <button type="button" className="primary" onClick={s.sendNow} disabled={!s.online || s.sending} data-testid="send-now">
            {s.sending ? "正在发送……" : "立即发送"}
          </button>
          {!s.online ? <p className="muted small">有网后会自动发送，不用一直开着这一页。</p> : null}
        </div>
      ) : null}
      {failed > 0 ? <p className="form-error" role="alert">有 {failed} 户发送失败，原因见下面列表</p> : null}
      {s.note ? <p className="muted">{s.note}</p> : null}
    </div>
  );
}

/**
 * Kept saves of households no longer in the inspector's list (the committee gave the grid to someone
 * else): still shown, with the server's reason, until the inspector has read it and removes it.
 */
export function OrphanSaves({ s, listed }: { s: OfflineScoring; listed: Set<number> }) {
  const orphans = s.saves.filter((k) => !listed.has(k.householdId));
  if (orphans.length === 0) return null;
  return (
    <section className="orphan-saves" data-testid="orphan-saves">
      <h2>不在你列表里的农户</h2>
      <ul className="score-list">
        {orphans.map((k) => (
          <li key={k.key} data-testid={`orphan-${k.householdId}`}>
            <div className="off">
              <span className="main"><span className="title">{k.label}</span><span className="sub">{k.summary}</span><KeptBadge save={k} /></span>
              {k.state !== "waiting" ? <button type="button" className="secondary" onClick={() => s.forget(k.key)}>知道了，删掉</button> : null}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A household's kept save in the list: 待发送 / 发送失败：… / 已提交. */
export function KeptBadge({ save }: { save: KeptSave | undefined }) {
  if (!save) return null;
  if (save.state === "waiting") return <span className="kept kept-waiting" data-testid="kept-state">待发送（离线保存）· {save.summary}</span>;
  if (save.state === "failed") return <span className="kept kept-failed" data-testid="kept-state">发送失败：{save.message}</span>;
  return <span className="kept kept-sent" data-testid="kept-state">已提交</span>;
}

const digits = (s: string) => s.replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).trim();

/** The server's checks, run on the phone before keeping a save, so what waits is what the server takes. */
function check(form: FormData, checklist: ChecklistSpec): string | null {
  if (form.get("intent") === "absent") {
    const reason = String(form.get("reason") ?? "").trim();
    if (!reason) return "请填写未检查原因";
    if (reason.length > SANITATION_MAX.absentReason) return `未检查原因最多 ${SANITATION_MAX.absentReason} 个字`;
    return null;
  }
  for (const [i, item] of checklist.items.entries()) {
    const v = digits(String(form.get(`s${i}`) ?? ""));
    if (!v) return `请给“${item.name}”打分`;
    if (!/^\d{1,3}$/.test(v) || Number(v) > item.max) return `${item.name}应为 0 到 ${item.max} 的整数`;
  }
  if (String(form.get("note") ?? "").length > SANITATION_MAX.scoreNote) return `备注最多 ${SANITATION_MAX.scoreNote} 个字`;
  const photos = form.getAll("photos").filter((p): p is File => typeof p !== "string" && p.size > 0);
  if (photos.length > MAX_PHOTOS) return `最多上传 ${MAX_PHOTOS} 张照片`;
  for (const [i, p] of photos.entries()) {
    if (p.size > MAX_PHOTO_MB * 1024 * 1024) return `第 ${i + 1} 张照片超过 ${MAX_PHOTO_MB} MB，请换一张小一些的`;
    if (!/^image\/(jpeg|png|webp)$/.test(p.type)) return `第 ${i + 1} 张不是照片，只能上传 JPG、PNG 或 WebP 图片`;
  }
  return null;
}

/**
 * The household page's forms: with no signal, the save is kept on the phone (and the page goes back
 * to the list, which shows it waiting); with a signal, nothing changes. Returns the handler and the
 * message to show when the save could not be kept.
 */
export function useKeepOffline(villageId: number, roundId: number, householdId: number, label: string, checklist: ChecklistSpec) {
  const [error, setError] = useState<string | null>(null);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    if (navigator.onLine || !("indexedDB" in window)) return;
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const problem = check(form, checklist);
    setError(problem);
    if (problem) return window.scrollTo(0, 0);
    const absent = form.get("intent") === "absent";
    const total = checklist.items.reduce((sum, _, i) => sum + Number(digits(String(form.get(`s${i}`) ?? "0"))), 0);
    const fields: [string, string][] = [];
    for (const [k, v] of form.entries()) if (typeof v === "string") fields.push([k, k.startsWith("s") && /^s\d+$/.test(k) ? digits(v) : v]);
    const photos = form.getAll("photos").filter((p): p is File => typeof p !== "string" && p.size > 0);
    const summary = absent ? "未检查" : `${total} 分`;
    const list = `/v/${villageId}/rounds/${roundId}/score`;
    void keepSave({ key: newSaveKey(), round: `${villageId}-${roundId}`, householdId, label, summary, at: Date.now(), sendUrl: `${list}/${householdId}/send`, fields, photos })
      .then(() => {
        sessionStorage.setItem(FLASH, `已存在手机上：${label} ${summary}，有网后自动发送`);
        // Back to the list, which the service worker answers from the phone; without one, stay here.
        if (navigator.serviceWorker?.controller) window.location.assign(list);
        else setError(`已存在手机上：${label} ${summary}，有网后打开农户列表会自动发送`);
      })
      .catch(() => setError("手机存储已满或不可用，没有存下。请删掉一些照片后再试"));
  };
  return { onSubmit, error };
}
