// 流动红旗 on the pages that show it: the holder's banner (home), the holders on the 公示栏, and
// the certificate sheet. Plain components; the data comes from flags.server.ts through the routes.
import { Link } from "@remix-run/react";
import { formatTime } from "~/platform/format";
import { flagMonth } from "./labels";

/** A red flag drawn, not an emoji: phones without an emoji font would show an empty box. */
function FlagIcon({ size = 28 }: { size?: number }) {
  return (
    <svg className="flag-icon" width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <rect x="4" y="2" width="2" height="21" rx="1" fill="#6d4c41" />
      <path d="M6 3h13l-3 4.5 3 4.5H6z" fill="#c62828" />
      <path d="M10 5.6l.6 1.3 1.4.1-1.1.9.4 1.4-1.3-.8-1.2.8.4-1.4-1.1-.9 1.4-.1z" fill="#ffd54f" />
    </svg>
  );
}

/** "本户获得流动红旗（11月卫生评比）", one line per flag held, with its certificate. */
export function FlagBanner({ flags }: { flags: { id: number; villageId: number; startsAt: number }[] }) {
  if (!flags.length) return null;
  return (
    <>
      {flags.map((f) => (
        <div key={f.id} className="flag-banner" data-testid="flag-banner" role="status">
          <FlagIcon size={36} />
          <div>
            <strong>本户获得流动红旗（{flagMonth(f.startsAt)}卫生评比）</strong>
            <Link to={`/v/${f.villageId}/flags/${f.id}/certificate`}>看奖状 ›</Link>
          </div>
        </div>
      ))}
    </>
  );
}

export interface HolderRow {
  id: number;
  roundId?: number;
  householdId: number | null;
  number: string | null;
  head: string | null;
  grid: string | null;
  total: number;
  reason?: string | null;
}

export function HolderList({ flags, testId }: { flags: HolderRow[]; testId?: string }) {
  return (
    <ul className="flag-holders" data-testid={testId}>
      {flags.map((f) => (
        <li key={f.id}>
          <FlagIcon />
          <span className="flag-who">
            {f.grid ? <span className="muted">{f.grid} · </span> : null}
            {f.householdId === null ? <span>得分并列，等村委决定</span> : <span>{f.number}号户{f.head ? ` ${f.head}` : ""}</span>}
            {f.reason ? <span className="muted small" style={{ display: "block" }}>村委决定：{f.reason}</span> : null}
          </span>
          <span className="score">{f.total} 分</span>
        </li>
      ))}
    </ul>
  );
}

/** The 公示栏's section: who holds the flags now, the committee's waiting ties, the history. */
export function FlagNotice({ villageId, flags, waiting, print }: { villageId: number; flags: (HolderRow & { startsAt: number; title: string })[]; waiting: { roundId: number; count: number } | null; print: boolean }) {
  if (!flags.length && !waiting) return null;
  const months = [...new Set(flags.map((f) => f.title))];
  return (
    <section className="card flag-card" data-testid="flag-notice">
      <h2 className="flag-title"><FlagIcon /> 流动红旗</h2>
      {months.length ? <p className="muted small">现在的红旗户：{months.join("、")}卫生评比得分最高的农户。</p> : null}
      <HolderList flags={flags} testId="flag-holders" />
      {waiting && !print ? (
        <p className="flag-waiting no-print">
          有 {waiting.count} 面红旗得分并列，等村委决定。<Link to={`/v/${villageId}/rounds/${waiting.roundId}/flags`}>去决定 ›</Link>
        </p>
      ) : null}
      {print ? null : (
        <p className="flag-links no-print">
          <Link to={`/v/${villageId}/flags`}>历届红旗户 ›</Link>
        </p>
      )}
    </section>
  );
}

export interface Certificate {
  id: number;
  total: number;
  title: string;
  startsAt: number;
  handedAt: number;
  decidedAt: number | null;
  number: string;
  head: string | null;
  village: string;
  grid: string | null;
}

export function CertificateSheet({ c }: { c: Certificate }) {
  return (
    <div className="flag-cert" data-testid="flag-certificate">
      <div className="cert-flag"><FlagIcon size={64} /></div>
      <h1>流动红旗</h1>
      <p className="cert-to">
        <strong>{c.number}号户{c.head ? ` ${c.head}` : ""}</strong>家庭：
      </p>
      <p className="cert-text">
        在{c.village}{c.grid ?? ""}{c.title}环境卫生评比中得 {c.total} 分，成绩优秀，获得流动红旗，特发此证，以资鼓励。
      </p>
      <p className="cert-sign">
        {c.village}村民委员会
        <br />
        {formatTime(c.decidedAt ?? c.handedAt).slice(0, 10)}
      </p>
      <p className="cert-no">编号：红旗-{c.id}</p>
    </div>
  );
}
