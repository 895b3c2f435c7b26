// Pieces shared by the campaign pages: state tag, facts, the create form, the nomination box and the result.
import { Form } from "@remix-run/react";
import { SelectField, Tag } from "~/ui/form-parts";
import { TextArea } from "~/activities/activity";
import { Field, FormError } from "~/ui/field";
import { DateField } from "~/ui/pickers";
import type { CampaignVoters } from "../../db/schema";
import type { AwardRule, CategoryRow } from "./campaigns.server";
import type { CampaignFactsView, NomineeSearchView, ResultView } from "./pages.server";
import type { CampaignState } from "./labels";
import { KIND_CHOICES, MAX_QUORUM, TEXT_LIMITS, VOTER_CHOICES, VOTER_LABELS } from "./labels";
import { formatTime } from "~/platform/format";

export function StateTag({ state, label }: { state: CampaignState; label: string }) {
  const tone = state === "nominating" || state === "voting" ? "ok" : state === "closed" ? "warn" : undefined;
  return <Tag tone={tone}>{label}</Tag>;
}

/** "05-10 08:00 至 05-17 18:00" (the year once, when both share it). */
export function windowText(from: number, until: number): string {
  const a = formatTime(from);
  const b = formatTime(until);
  return `${a} 至 ${a.slice(0, 4) === b.slice(0, 4) ? b.slice(5) : b}`;
}

export function CampaignFacts({ c }: { c: CampaignFactsView }) {
  return (
    <dl className="facts">
      <dt>提名</dt>
      <dd>{windowText(c.nominate_from, c.nominate_until)}</dd>
      <dt>投票</dt>
      <dd>{windowText(c.vote_from, c.vote_until)}</dd>
      <dt>谁投票</dt>
      <dd>{VOTER_LABELS[c.voters]}</dd>
      <dt>投票人数</dt>
      <dd>{c.voters === "representatives" ? `${c.electorate} 位村民代表` : `${c.electorate} 户`}</dd>
      <dt>最低投票率</dt>
      <dd>{c.quorum}%（不到这个比例，结果无效）</dd>
    </dl>
  );
}

// ---- create ------------------------------------------------------------------------------

export interface CampaignFormProps {
  values: Record<string, string>;
  errors: Record<string, string | undefined>;
  rules: AwardRule[];
  rows: number;
  busy: boolean;
}

export function CampaignForm({ values: v, errors, rules, rows, busy }: CampaignFormProps) {
  return (
    <Form method="post" noValidate>
      <FormError message={errors._form} />
      <Field label="评选名称" name="title" defaultValue={v.title} error={errors.title} maxLength={TEXT_LIMITS.title} autoComplete="off" hint="如：2026年度“好婆婆”“好媳妇”评选" />
      <TextArea label="评选说明（可不填）" name="description" defaultValue={v.description} error={errors.description} maxLength={TEXT_LIMITS.description} rows={2} />
      <DateField withTime label="提名开始" name="nominateFrom" defaultValue={v.nominateFrom} error={errors.nominateFrom} />
      <DateField withTime label="提名截止" name="nominateUntil" defaultValue={v.nominateUntil} error={errors.nominateUntil} hint="截止前村民和村委都可以提名；村委审核后才成为候选" />
      <DateField withTime label="投票开始" name="voteFrom" defaultValue={v.voteFrom} error={errors.voteFrom} hint="投票开始后候选名单不能再改" />
      <DateField withTime label="投票截止" name="voteUntil" defaultValue={v.voteUntil} error={errors.voteUntil} hint="截止前谁都看不到票数" />
      <SelectField
        label="谁投票"
        name="voters"
        defaultValue={v.voters ?? VOTER_CHOICES[0].value}
        error={errors.voters}
        options={[...VOTER_CHOICES]}
      />
      <Field label="最低投票率（%）" name="quorum" inputMode="numeric" defaultValue={v.quorum} error={errors.quorum} maxLength={TEXT_LIMITS.quorumDigits} autoComplete="off" hint={`投票的人数占能投票人数的比例，0 到 ${MAX_QUORUM}`} />
      {Array.from({ length: rows }, (_, k) => k + 1).map((i) => (
        <fieldset key={i} className="category-row">
          <legend>评选类别 {i}{i > 1 ? "（不用可留空）" : ""}</legend>
          <Field label="类别名称" name={`cat${i}Name`} defaultValue={v[`cat${i}Name`]} error={errors[`cat${i}Name`]} maxLength={TEXT_LIMITS.categoryName} autoComplete="off" />
          <SelectField
            label="评家庭还是评个人"
            name={`cat${i}Kind`}
            defaultValue={v[`cat${i}Kind`] ?? KIND_CHOICES[0].value}
            error={errors[`cat${i}Kind`]}
            options={[...KIND_CHOICES]}
          />
          <Field label="评选名额" name={`cat${i}Winners`} inputMode="numeric" defaultValue={v[`cat${i}Winners`]} error={errors[`cat${i}Winners`]} maxLength={TEXT_LIMITS.winnersDigits} autoComplete="off" />
          <SelectField
            label="奖励积分的细则"
            name={`cat${i}Rule`}
            defaultValue={v[`cat${i}Rule`] ?? ""}
            error={errors[`cat${i}Rule`]}
            options={[{ value: "", label: rules.length ? "请选择" : "本村还没有可用的奖励细则" }, ...rules.map((r) => ({ value: String(r.id), label: `${r.name}（${r.points} 分）` }))]}
          />
        </fieldset>
      ))}
      <button type="submit" className="primary block" disabled={busy}>{busy ? "正在保存……" : "发起评选"}</button>
    </Form>
  );
}

// ---- nominating ----------------------------------------------------------------------------

export interface NominateBoxProps {
  categories: Pick<CategoryRow, "id" | "name" | "kind">[];
  search: NomineeSearchView;
  errors: Record<string, string | undefined>;
  values?: Record<string, string>;
  busy: boolean;
  /** Changes after a nomination is filed, so the form starts empty again (no accidental second post). */
  resetKey: number;
}

/** Step 1 searches (a GET form); step 2 picks from what was found, with a reason (a POST form). */
export function NominateBox({ categories, search, errors, values, busy, resetKey }: NominateBoxProps) {
  const cat = categories.find((c) => c.id === search.cat);
  return (
    <>
      <Form method="get" className="nominate-search">
        <SelectField label="提名哪一类" name="cat" id="s-cat" defaultValue={String(search.cat ?? "")} options={categories.map((c) => ({ value: String(c.id), label: c.name }))} />
        <label htmlFor="s-q">{cat?.kind === "household" ? "找一户：户号或家里人的名字" : "找一位村民：名字或户号"}</label>
        <div className="search">
          <input id="s-q" name="q" defaultValue={search.q} maxLength={TEXT_LIMITS.search} autoComplete="off" />
          <button type="submit" className="secondary">查找</button>
        </div>
      </Form>
      {search.q && search.found.length === 0 ? <p className="muted">没有找到“{search.q}”，换个名字或户号试试</p> : null}
      {search.found.length && cat ? (
        <Form method="post" noValidate key={resetKey}>
          <input type="hidden" name="intent" value="nominate" />
          <input type="hidden" name="categoryId" value={cat.id} />
          <FormError message={errors._form} />
          <fieldset className="picks" aria-describedby={errors.nomineeId ? "f-nomineeId-err" : undefined}>
            <legend>提名为“{cat.name}”</legend>
            {search.found.map((x) => (
              <label key={x.id} className="check">
                <input type="radio" name="nomineeId" value={x.id} defaultChecked={values?.nomineeId === String(x.id) || search.found.length === 1} />
                <span>
                  {x.label}
                  {x.sub ? <span className="muted small"> {x.sub}</span> : null}
                </span>
              </label>
            ))}
            {errors.nomineeId ? <p className="field-error" id="f-nomineeId-err">{errors.nomineeId}</p> : null}
          </fieldset>
          <TextArea label="提名理由" name="reason" defaultValue={values?.reason} error={errors.reason} maxLength={TEXT_LIMITS.nominationReason} rows={3} placeholder="说说具体事迹，如：照顾瘫痪的婆婆十年" />
          <button type="submit" className="primary block" disabled={busy}>提交提名</button>
        </Form>
      ) : null}
    </>
  );
}

// ---- the result ------------------------------------------------------------------------------

export interface ResultProps {
  result: ResultView;
  voters: CampaignVoters;
}

export function Turnout({ result, voters }: ResultProps) {
  const t = result.turnout;
  return (
    <div className={t.met ? "turnout" : "turnout short"} data-testid="turnout">
      <p>
        投票 <strong>{t.voters}</strong> {voters === "household" ? "户" : "人"} / 能投票 {t.electorate} {voters === "household" ? "户" : "人"}，投票率 <strong>{t.percent}%</strong>
      </p>
      <p>{t.met ? `达到最低投票率 ${t.quorum}%，结果有效` : `没有达到最低投票率 ${t.quorum}%，这次投票结果无效，不能确认`}</p>
    </div>
  );
}

export function CategoryResult({ k, pending }: { k: ResultProps["result"]["categories"][number]; pending: boolean }) {
  return (
    <>
      <h3>{k.name}（{k.winners} 个名额）</h3>
      {k.rows.length === 0 ? <p className="muted">这一类没有候选人</p> : null}
      <ol className="results" data-testid={`result-${k.id}`}>
        {k.rows.map((x) => (
          <li key={x.id} className={x.won ? "won" : undefined}>
            <span className="cand">
              {x.label}
              {x.won ? <Tag tone="ok">{pending ? "当选（待确认）" : "当选"}</Tag> : x.outcome === "tie" ? <Tag tone="warn">{k.tieDecided ? "同票，未选中" : "同票"}</Tag> : null}
            </span>
            <span className="votes">{x.votes} 票</span>
          </li>
        ))}
      </ol>
      {k.tieDecided ? (
        <p className="tie-note">同票由村委决定（{k.tieDecided.by}记录）：{k.tieDecided.reason}</p>
      ) : k.tiePlaces > 0 ? (
        <p className="tie-note">最后 {k.tiePlaces} 个名额同票，由村委决定并公布理由。</p>
      ) : null}
    </>
  );
}
