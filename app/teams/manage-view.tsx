// The manage page of one team (a village's under /v/:id/teams, the township's under /township/teams):
// its figures, members with add / remove / leader buttons, the member search, its activities, the edit form.
import { Form, Link } from "@remix-run/react";
import { Tag } from "~/ui/form-parts";
import { Field, FormError, FormOk } from "~/ui/field";
import { levelLabel, TEXT_LIMITS } from "./labels";
import { MemberList, MemberPager, PeriodForm, TeamActivities, TeamForm, TeamStats, type ActivityItem, type MemberItem } from "./team-parts";

export interface ManageData {
  team: { id: number; village_id: number | null; village_name: string | null; name: string; description: string };
  period: { key: string; label: string };
  periods: { value: string; label: string }[];
  page: number;
  members: { rows: MemberItem[]; count: number; pages: number };
  totals: { hours: number; activities: number; people: number };
  activities: ActivityItem[];
  canManage: boolean;
  q: string;
  found: { id: number; name: string; relation: string; household_number: string; village_name: string; in_team: number | null }[];
  base: string;
}

export interface ManageResult {
  intent: string;
  memberId: number | null;
  ok: string | null;
  errors: Record<string, string>;
  values: Record<string, string>;
}

export function ManageTeam({ d, result, busy }: { d: ManageData; result: ManageResult | undefined; busy: boolean }) {
  const t = d.team;
  const township = t.village_id === null;
  const here = `${d.base}/${t.id}`;
  const query = (extra: Record<string, string>) => {
    const p = new URLSearchParams({ period: d.period.key, ...(d.q ? { q: d.q } : {}), ...extra });
    return `${here}?${p.toString()}`;
  };
  const editErrors = result && !result.ok && result.intent === "team.update" ? result.errors : {};
  const rowError = result && !result.ok && result.intent !== "team.update" ? (result.errors._form ?? "请求有误，请刷新页面后再试") : null;
  const memberButton = (intent: string, memberId: number, label: string, extra?: Record<string, string>, tone = "secondary") => (
    <Form method="post" action={query(d.page > 1 ? { page: String(d.page) } : {})}>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="memberId" value={memberId} />
      {Object.entries(extra ?? {}).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
      <button type="submit" className={tone} disabled={busy}>{label}</button>
    </Form>
  );
  return (
    <>
      <p className="muted small">
        <Link className="back" to={d.base}>‹ 志愿队伍</Link>
      </p>
      <section className="card">
        <h1>
          {t.name} <Tag tone={township ? "ok" : undefined}>{levelLabel(t)}</Tag>
        </h1>
        {result?.ok ? <FormOk message={result.ok} /> : null}
        {rowError ? <FormError message={rowError} /> : null}
        {t.description ? <p>{t.description}</p> : null}
        <PeriodForm periods={d.periods} period={d.period} keep={d.q ? { q: d.q } : undefined} />
        <p className="muted small">{d.period.label}的服务时长（活动到场记录合计）</p>
        <TeamStats totals={d.totals} members={d.members.count} />
      </section>

      <section className="card">
        <h2>队员（{d.members.count} 人）</h2>
        <MemberList
          members={d.members.rows}
          township={township}
          actions={d.canManage ? (m) => (
            <>
              {m.is_leader ? memberButton("member.leader", m.member_id, "取消队长", { leader: "0" }) : memberButton("member.leader", m.member_id, "设为队长", { leader: "1" })}
              {memberButton("member.remove", m.member_id, "移出")}
            </>
          ) : undefined}
        />
        <MemberPager page={d.page} pages={d.members.pages} link={(p) => query({ page: String(p) })} />
      </section>

      {d.canManage ? (
        <section className="card">
          <h2>添加队员</h2>
          <p className="muted small">{township ? "可以从全乡镇各村的村民中选人" : "从本村村民中选人"}</p>
          <Form method="get" className="search-row">
            <input type="hidden" name="period" value={d.period.key} />
            <Field label="姓名、户号或手机号" name="q" defaultValue={d.q} maxLength={TEXT_LIMITS.search} autoComplete="off" />
            <button type="submit" className="secondary">查找</button>
          </Form>
          {d.q && d.found.length === 0 ? <p className="muted">没有找到“{d.q}”</p> : null}
          {d.found.length ? (
            <ul className="team-members" data-testid="candidates">
              {d.found.map((c) => (
                <li key={c.id} data-candidate={c.id}>
                  <span>
                    <span className="who">{c.name}</span>
                    <span className="muted small"> {township ? `${c.village_name} · ` : ""}{c.household_number} 号 · {c.relation}</span>
                  </span>
                  {c.in_team ? <Tag tone="ok">已在队里</Tag> : memberButton("member.add", c.id, "加入队伍", undefined, "primary")}
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}

      <section className="card">
        <h2>队伍活动（{d.period.label}）</h2>
        <TeamActivities activities={d.activities} township={township} />
        {!township && d.canManage ? (
          <p className="muted small">发起活动时在“志愿队伍”一栏选择本队，活动就会算到本队。</p>
        ) : null}
      </section>

      {d.canManage ? (
        <section className="card">
          <h2>修改队伍</h2>
          <TeamForm intent="team.update" values={result?.intent === "team.update" && !result.ok ? result.values : { name: t.name, description: t.description }} errors={editErrors} submit="保存修改" busy={busy} />
        </section>
      ) : null}
    </>
  );
}
