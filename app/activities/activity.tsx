// Pieces shared by the activity pages: the activity's facts, its state tag, and the create/edit form.
import type { TextareaHTMLAttributes } from "react";
import { Form, Link } from "@remix-run/react";
import { SelectField, Tag } from "~/ui/form-parts";
import { Field, FormError } from "~/ui/field";
import { DateField } from "~/ui/pickers";
import { formatTime } from "~/platform/format";
import type { ActivityRow, OrganiserChoice, RuleChoice } from "./activities.server";
import { pointsLabel, TEXT_LIMITS } from "./labels";
import type { TeamChoice } from "~/teams/teams.server";

/** What the facts list shows of an activity (the server's row, as the loader sends it). */
export type ActivityFacts = Pick<
  ActivityRow,
  "title" | "description" | "place" | "starts_at" | "ends_at" | "signup_deadline" | "capacity" | "organiser_name" | "rule_name"
  | "rule_points" | "rule_unit" | "status" | "cancel_reason" | "signed_up" | "attended"
> & { team_id?: number | null; team_name?: string | null };

/** "2026-11-25 08:30 – 11:30" (the day once when start and end share it). */
export function timeRange(start: number, end: number): string {
  const a = formatTime(start);
  const b = formatTime(end);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a} – ${b.slice(11)}` : `${a} – ${b}`;
}

export function StatusTag({ a, at }: { a: { status: string; ends_at: number; starts_at: number; signup_deadline: number }; at: number }) {
  if (a.status === "cancelled") return <Tag tone="off">已取消</Tag>;
  if (a.status === "closed") return <Tag>已结束</Tag>;
  if (at >= a.ends_at) return <Tag tone="warn">待结束</Tag>;
  if (at >= a.starts_at) return <Tag tone="ok">进行中</Tag>;
  if (at >= a.signup_deadline) return <Tag tone="warn">报名截止</Tag>;
  return <Tag tone="ok">报名中</Tag>;
}

export function Facts({ a }: { a: ActivityFacts }) {
  return (
    <dl className="facts">
      <dt>时间</dt>
      {/* Start and end each stay on one line: "15:30 –" / "18:30" split mid-range. */}
      <dd>
        {timeRange(a.starts_at, a.ends_at).split(" – ").map((t, i) => (
          <span key={i}>{i ? " " : null}<span className="nowrap">{i ? `– ${t}` : t}</span></span>
        ))}
      </dd>
      <dt>地点</dt>
      <dd>{a.place}</dd>
      <dt>积分</dt>
      <dd>
        {a.rule_name} · {pointsLabel({ points: a.rule_points, unit: a.rule_unit })}
      </dd>
      <dt>名额</dt>
      <dd>
        已报名 {a.signed_up} / {a.capacity} 人
      </dd>
      <dt>报名截止</dt>
      <dd>{formatTime(a.signup_deadline)}</dd>
      <dt>组织者</dt>
      <dd>{a.organiser_name}</dd>
      {a.team_name ? (
        <>
          <dt>志愿队伍</dt>
          <dd data-testid="activity-team">{a.team_id ? <Link to={`/teams/${a.team_id}`}>{a.team_name}</Link> : a.team_name}</dd>
        </>
      ) : null}
    </dl>
  );
}

export function Cancelled({ a }: { a: { status: string; cancel_reason: string | null } }) {
  return a.status === "cancelled" ? (
    <p className="warn" role="status">
      这个活动已取消。原因：{a.cancel_reason}
    </p>
  ) : null;
}

interface TextAreaProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  label: string;
  name: string;
  error?: string;
}

export function TextArea({ label, name, error, ...rest }: TextAreaProps) {
  const id = `f-${name}`;
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} name={name} rows={3} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-err` : undefined} {...rest} />
      {error ? <p className="field-error" id={`${id}-err`}>{error}</p> : null}
    </div>
  );
}

export interface ActivityFormProps {
  intent?: string;
  values: Record<string, string>;
  errors: Record<string, string | undefined>;
  organisers: OrganiserChoice[];
  rules: RuleChoice[];
  /** 志愿队伍 the activity may belong to (the village's and the township's); none offered when absent. */
  teams?: TeamChoice[];
  submit: string;
  busy: boolean;
}

export function ActivityForm({ intent, values: v, errors, organisers, rules, teams, submit, busy }: ActivityFormProps) {
  return (
    <Form method="post" noValidate>
      {intent ? <input type="hidden" name="intent" value={intent} /> : null}
      <FormError message={errors._form} />
      <Field label="活动名称" name="title" defaultValue={v.title} error={errors.title} maxLength={TEXT_LIMITS.title} autoComplete="off" hint="如：清扫村道、看望孤寡老人" />
      <TextArea label="活动说明（可不填）" name="description" defaultValue={v.description} error={errors.description} maxLength={TEXT_LIMITS.description} />
      <Field label="地点" name="place" defaultValue={v.place} error={errors.place} maxLength={TEXT_LIMITS.place} autoComplete="off" />
      <DateField withTime label="开始时间" name="startsAt" defaultValue={v.startsAt} error={errors.startsAt} />
      <DateField withTime label="结束时间" name="endsAt" defaultValue={v.endsAt} error={errors.endsAt} />
      <DateField withTime label="报名截止时间" name="deadline" defaultValue={v.deadline} error={errors.deadline} hint="截止前村民可以报名和取消报名" />
      <Field label="名额（人）" name="capacity" inputMode="numeric" defaultValue={v.capacity} error={errors.capacity} maxLength={TEXT_LIMITS.capacityDigits} autoComplete="off" />
      <SelectField
        label="组织者"
        name="organiserId"
        defaultValue={v.organiserId ?? ""}
        error={errors.organiserId}
        options={[{ value: "", label: "请选择" }, ...organisers.map((o) => ({ value: String(o.id), label: `${o.name}（${o.role}）` }))]}
      />
      <SelectField
        label="积分细则"
        name="ruleId"
        defaultValue={v.ruleId ?? ""}
        error={errors.ruleId}
        options={[
          { value: "", label: rules.length ? "请选择" : "本村还没有可用的积分细则" },
          ...rules.map((r) => ({ value: String(r.id), label: `${r.name}（${pointsLabel(r)}）` })),
        ]}
      />
      {teams ? (
        <SelectField
          label="志愿队伍（可不选）"
          name="teamId"
          defaultValue={v.teamId ?? ""}
          error={errors.teamId}
          options={[{ value: "", label: "不属于任何队伍" }, ...teams.map((t) => ({ value: String(t.id), label: t.village_id === null ? `${t.name}（乡镇）` : t.name }))]}
        />
      ) : null}
      <button type="submit" className="primary block" disabled={busy}>{busy ? "正在保存……" : submit}</button>
    </Form>
  );
}
