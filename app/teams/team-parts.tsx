// Pieces shared by the team pages: the period filter, a list of teams, a team's figures, members and activities, the team form.
import type { ReactNode } from "react";
import { Form, Link } from "@remix-run/react";
import { SelectField, Tag } from "~/ui/form-parts";
import { Field, FormError } from "~/ui/field";
import { Pager } from "~/ui/pager";
import { formatTime } from "~/platform/format";
import { hoursLabel, levelLabel, TEXT_LIMITS } from "./labels";

/** GET form: the year or month the hours are counted over (works without JavaScript). */
export function PeriodForm({ periods, period, keep }: { periods: { value: string; label: string }[]; period: { key: string }; keep?: Record<string, string> }) {
  const options = periods.some((p) => p.value === period.key) ? periods : [{ value: period.key, label: period.key }, ...periods];
  return (
    <Form method="get" className="period-form" data-testid="period-form">
      {Object.entries(keep ?? {}).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
      <SelectField label="统计时间" name="period" defaultValue={period.key} options={options} />
      <button type="submit" className="secondary">查看</button>
    </Form>
  );
}

export interface TeamItem {
  id: number;
  village_id: number | null;
  village_name: string | null;
  name: string;
  description: string;
  members: number;
  activities: number;
  hours: number;
}

export function TeamList({ teams, href, mine = [], empty }: { teams: TeamItem[]; href: (t: TeamItem) => string; mine?: number[]; empty: string }) {
  if (!teams.length) return <p className="muted">{empty}</p>;
  return (
    <ul className="team-list" data-testid="team-list">
      {teams.map((t) => (
        <li key={t.id} data-team={t.id}>
          <Link to={href(t)}>
            <span className="title">
              {t.name} <Tag tone={t.village_id === null ? "ok" : undefined}>{levelLabel(t)}</Tag>
              {mine.includes(t.id) ? <Tag tone="ok">我在队里</Tag> : null}
            </span>
            {t.description ? <span className="sub">{t.description}</span> : null}
            <span className="figures">
              <span className="nowrap">队员 {t.members} 人</span> · <span className="nowrap">活动 {t.activities} 次</span> ·{" "}
              <span className="nowrap">服务 {hoursLabel(t.hours)}</span>
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function TeamStats({ totals, members }: { totals: { hours: number; activities: number; people: number }; members: number }) {
  return (
    <div className="team-stats" data-testid="team-stats">
      <div><b data-testid="team-hours">{Math.round(totals.hours * 10) / 10}</b><span>服务小时</span></div>
      <div><b>{totals.activities}</b><span>次活动</span></div>
      <div><b>{members}</b><span>名队员</span></div>
    </div>
  );
}

export interface MemberItem {
  member_id: number;
  name: string;
  active: number;
  household_number: string;
  village_name: string;
  is_leader: number;
  hours: number;
}

/** The members, leaders first; `actions` adds the manage page's buttons to a row. */
export function MemberList({ members, township, actions }: { members: MemberItem[]; township: boolean; actions?: (m: MemberItem) => ReactNode }) {
  if (!members.length) return <p className="muted">还没有队员</p>;
  return (
    <ul className="team-members" data-testid="team-members">
      {members.map((m) => (
        <li key={m.member_id} data-member={m.member_id}>
          <span>
            <span className="who">{m.name}</span>
            {m.is_leader ? <Tag tone="ok">队长</Tag> : null}
            {m.active ? null : <Tag tone="off">已停用</Tag>}
            <span className="muted small"> {township ? `${m.village_name} · ` : ""}{m.household_number} 号</span>
          </span>
          <span className="hours">{hoursLabel(m.hours)}</span>
          {actions ? <span className="actions">{actions(m)}</span> : null}
        </li>
      ))}
    </ul>
  );
}

export function MemberPager({ page, pages, link }: { page: number; pages: number; link: (page: number) => string }) {
  return <Pager page={page} pages={pages} link={link} />;
}

export interface ActivityItem {
  id: number;
  village_name: string;
  title: string;
  starts_at: number;
  status: string;
  attended: number;
  hours: number | null;
  href: string | null;
}

export function TeamActivities({ activities, township }: { activities: ActivityItem[]; township: boolean }) {
  if (!activities.length) return <p className="muted">这段时间没有这个队伍的活动</p>;
  return (
    <ul className="team-activities" data-testid="team-activities">
      {activities.map((a) => (
        <li key={a.id}>
          {a.href ? <Link to={a.href}>{a.title}</Link> : <b>{a.title}</b>}
          {a.status === "cancelled" ? <Tag tone="off">已取消</Tag> : null}
          <span className="sub">
            {formatTime(a.starts_at).slice(0, 10)}{township ? ` · ${a.village_name}` : ""} · {a.attended} 人到场 · {hoursLabel(a.status === "cancelled" ? 0 : (a.hours ?? 0))}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function TeamForm({ intent, values, errors, submit, busy }: {
  intent?: string; values: Record<string, string>; errors: Record<string, string | undefined>; submit: string; busy: boolean;
}) {
  return (
    <Form method="post" noValidate>
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <FormError message={errors._form} />
      <Field label="队伍名称" name="name" defaultValue={values.name} error={errors.name} maxLength={TEXT_LIMITS.name} autoComplete="off" hint="如：乡村环境整治队、孝老理发队" />
      <div>
        <label htmlFor="f-description">做什么（可不填）</label>
        <textarea id="f-description" name="description" rows={3} defaultValue={values.description} maxLength={TEXT_LIMITS.description}
          aria-invalid={errors.description ? true : undefined} aria-describedby={errors.description ? "f-description-err" : undefined} />
        {errors.description ? <p className="field-error" id="f-description-err">{errors.description}</p> : null}
      </div>
      <button type="submit" className="primary block" disabled={busy}>{busy ? "正在保存……" : submit}</button>
    </Form>
  );
}
