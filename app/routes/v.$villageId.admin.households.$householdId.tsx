import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Check, PasswordOnce, SelectField, Tag } from "~/ui/form-parts";
import { Field, FormError, FormOk } from "~/ui/field";
import { HonourHistory } from "~/campaigns/campaign-honours";
import { Representatives } from "~/campaigns/representatives";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf, echoValues, fail, type Outcome } from "~/platform/forms.server";
import { householdPageIntent } from "~/people/admin-forms.server";
import { householdHonours } from "~/campaigns/views.server";
import { REPRESENTATIVE_INTENT } from "~/campaigns/labels";
import { householdRepresentatives, representativeFromForm } from "~/campaigns/voters.server";
import {
  addMemberByAdmin,
  householdDetail,
  householdInVillage,
  memberInHousehold,
  setMemberActiveByAdmin,
  updateHouseholdByAdmin,
  updateMemberByAdmin,
} from "~/people/household-admin.server";
import type { AdminMemberRow } from "~/people/household-admin.server";
import { RELATIONS, SPACED_INPUT_LIMITS, TEXT_LIMITS } from "~/people/limits";
import { createMemberLogin, resetUserPassword, setLoginDisabled } from "~/people/staff.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { InspectionHistory } from "~/sanitation/sanitation";
import { inspectionHistory } from "~/sanitation/pages.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.household.number ?? ""}号户 · 村务管理 · 积分超市` }];

const ADMIN = ["village_admin", "township_admin"] as const;


const ECHO = ["number", "gridId", "address", "name", "relation", "phone", "canRedeem"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  const householdId = idParam(params.householdId);
  const detail = await householdDetail(villageId, householdId);
  const url = new URL(request.url);
  const m = Number(url.searchParams.get("m"));
  const selected = detail.members.some((x) => x.id === m) ? m : null;
  return {
    villageId, ...detail, selected, created: url.searchParams.get("created") === "1", inspections: await inspectionHistory(householdId, 12),
    // Honour campaigns: who is a village representative, and the household's honours.
    representatives: await householdRepresentatives(householdId), honours: await householdHonours(householdId),
  };
}

interface Reply {
  intent: string;
  memberId: number | null;
  errors: Record<string, string>;
  values?: Record<string, string>;
  ok?: string;
  generated?: { phone: string; password: string; title: string };
  stamp?: number;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const householdId = idParam(params.householdId);
  await householdInVillage(villageId, householdId);
  const form = formToObject(await readForm(request));
  if (form.intent === REPRESENTATIVE_INTENT) {
    const { status, ...rest } = await representativeFromForm(actorOf(access), villageId, householdId, form);
    return data<Reply>(rest, { status });
  }
  const parsed = householdPageIntent.safeParse(form);
  const rawMember = /^\d{1,12}$/.test(form.memberId ?? "") ? Number(form.memberId) : null;
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.memberId) errors._form = errors.intent ?? errors.memberId;
    return data<Reply>({ intent: form.intent ?? "", memberId: rawMember, errors, values: echoValues(form, ECHO) }, { status: 400 });
  }
  const i = parsed.data;
  const actor = actorOf(access);
  const memberId = "memberId" in i ? i.memberId : null;
  // An id from the form must name a member of this very household, or it is a 404.
  const member = memberId !== null ? await memberInHousehold(villageId, householdId, memberId) : null;
  const reply = (out: Outcome, ok: string, extra: Partial<Reply> = {}) =>
    out.ok
      ? data<Reply>({ intent: i.intent, memberId, errors: {}, ok, stamp: Date.now(), ...extra })
      : data<Reply>({ intent: i.intent, memberId, errors: out.errors, values: echoValues(form, ECHO) }, { status: out.status ?? 400 });
  const noLogin = fail("_form", "这位成员还没有登录账号");

  switch (i.intent) {
    case "household.update":
      return reply(await updateHouseholdByAdmin(actor, villageId, householdId, i), "户信息已保存");
    case "member.add": {
      const out = await addMemberByAdmin(actor, villageId, householdId, i);
      return reply(out, `已添加成员 ${i.name}`);
    }
    case "member.update":
      return reply(await updateMemberByAdmin(actor, villageId, householdId, i.memberId, i), "成员信息已保存");
    case "member.deactivate":
      return reply(await setMemberActiveByAdmin(actor, villageId, householdId, i.memberId, false), "成员已停用");
    case "member.activate":
      return reply(await setMemberActiveByAdmin(actor, villageId, householdId, i.memberId, true), "成员已启用");
    case "login.create": {
      const out = await createMemberLogin(actor, villageId, householdId, i.memberId, { phone: i.phone, password: i.password });
      const generated = out.ok && out.generated ? { phone: i.phone, password: out.generated, title: `已为 ${member!.name} 开通登录` } : undefined;
      return reply(out, `已为 ${member!.name} 开通登录，首次登录须修改密码`, { generated });
    }
    case "login.reset": {
      if (member!.user_id === null) return reply(noLogin, "");
      const out = await resetUserPassword(actor, villageId, member!.user_id, i.password);
      const generated = out.ok && out.generated ? { phone: member!.login_phone!, password: out.generated, title: `${member!.name} 的密码已重置` } : undefined;
      return reply(out, `${member!.name} 的密码已重置，下次登录须修改密码`, { generated });
    }
    case "login.disable":
    case "login.enable": {
      if (member!.user_id === null) return reply(noLogin, "");
      const off = i.intent === "login.disable";
      return reply(await setLoginDisabled(actor, villageId, member!.user_id, off), off ? "登录已停用" : "登录已启用");
    }
  }
}

export default function HouseholdPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const { household: h, members, balance } = d;
  const base = `/v/${d.villageId}/admin/households/${h.id}`;
  const errorsFor = (intent: string, memberId: number | null = null): Record<string, string | undefined> =>
    result && result.intent === intent && result.memberId === memberId ? result.errors : {};
  const valuesFor = (intent: string, memberId: number | null = null) =>
    result && result.intent === intent && result.memberId === memberId && !result.ok ? result.values : undefined;
  // Errors of a form on this page show beside it; anything else (a stale or forged post) shows on top.
  const shownInForm =
    !!result && (result.intent === "household.update" || result.intent === "member.add" || (result.memberId !== null && result.memberId === d.selected));
  const topError = result && !result.ok && !shownInForm ? (result.errors._form ?? "请求有误，请刷新页面后再试") : null;
  const hhErrors = errorsFor("household.update");
  const hhValues = valuesFor("household.update");
  const addErrors = errorsFor("member.add");
  const addValues = valuesFor("member.add");
  const active = members.filter((m) => m.active === 1).length;

  return (
    <>
      <p className="muted small">
        <Link className="back" to={`/v/${d.villageId}/admin`}>‹ 住户列表</Link>
      </p>
      <section className="card">
        <h2 style={{ marginTop: 0 }}>
          {h.number}号户 {h.head_name ?? ""}
        </h2>
        <p className="muted small" style={{ margin: 0 }}>
          {h.grid_name ?? "未分网格"}
          {h.address ? ` · ${h.address}` : ""} · <span className="nowrap">可用积分 <strong>{balance.spendable}</strong></span> ·{" "}
          <span className="nowrap">今年累计 <strong>{balance.score}</strong></span>
        </p>
        <p className="row">
          <Link to={`/v/${d.villageId}/admin/households/${h.id}/pin`}>柜台兑换密码 ›</Link>
          <Link to={`/v/${d.villageId}/store/cards?household=${h.id}`}>打印户卡 ›</Link>
          <Link to={`/v/${d.villageId}/passbook?household=${h.id}`}>打印积分存折 ›</Link>
        </p>
        {d.created ? <FormOk message="住户已新增。可以继续添加家庭成员。" /> : null}
        {result?.ok && result.intent === "household.update" ? <FormOk message={result.ok} /> : null}
        {result?.ok && result.intent === "member.add" ? <FormOk message={result.ok} /> : null}
        <FormError message={topError} />
      </section>

      <section className="card">
        <h2 style={{ marginTop: 0 }}>家庭成员（{active} 人在册）</h2>
        {members.length === 0 ? <p className="muted">还没有成员</p> : null}
        {members.map((m) => (
          <MemberCard key={m.id} m={m} selected={m.id === d.selected} base={base} result={result} busy={busy} />
        ))}
      </section>

      <Representatives members={d.representatives} action={base} ok={result?.intent === REPRESENTATIVE_INTENT ? result.ok ?? null : null} busy={busy} />
      <HonourHistory rows={d.honours} />

      <details className="panel" open={!!result && result.intent === "member.add" && !result.ok}>
        <summary>添加成员</summary>
        <div className="body">
          <Form method="post" action={base} noValidate key={`add-${result?.intent === "member.add" && result.ok ? result.stamp : 0}`}>
            <input type="hidden" name="intent" value="member.add" />
            <MemberFields idPrefix="add" errors={addErrors} values={addValues} defaults={{ name: "", relation: "子女", phone: "", canRedeem: true }} />
            <button type="submit" className="primary block" disabled={busy}>添加成员</button>
          </Form>
        </div>
      </details>

      <details className="panel" open={!!result && result.intent === "household.update" && !result.ok}>
        <summary>修改户号、网格、地址</summary>
        <div className="body">
          <Form method="post" action={`${base}${d.selected ? `?m=${d.selected}` : ""}`} noValidate>
            <input type="hidden" name="intent" value="household.update" />
            <FormError message={hhErrors._form} />
            <Field label="户号" id="hh-number" name="number" defaultValue={hhValues?.number ?? h.number} error={hhErrors.number} maxLength={TEXT_LIMITS.householdNumber} autoComplete="off" />
            <SelectField
              label="网格"
              id="hh-grid"
              name="gridId"
              defaultValue={hhValues?.gridId ?? (h.grid_id === null ? "" : String(h.grid_id))}
              error={hhErrors.gridId}
              options={[{ value: "", label: "暂不分网格" }, ...d.grids.map((g) => ({ value: String(g.id), label: g.name }))]}
            />
            <Field label="门牌地址" id="hh-address" name="address" defaultValue={hhValues?.address ?? h.address} error={hhErrors.address} maxLength={TEXT_LIMITS.address} autoComplete="off" />
            <button type="submit" className="primary block" disabled={busy}>保存户信息</button>
          </Form>
        </div>
      </details>
      <InspectionHistory entries={d.inspections} villageId={d.villageId} />
    </>
  );
}

function MemberFields({
  idPrefix,
  errors,
  values,
  defaults,
}: {
  idPrefix: string;
  errors: Record<string, string | undefined>;
  values?: Record<string, string>;
  defaults: { name: string; relation: string; phone: string; canRedeem: boolean };
}) {
  return (
    <>
      <FormError message={errors._form} />
      <Field label="姓名" id={`${idPrefix}-name`} name="name" defaultValue={values?.name ?? defaults.name} error={errors.name} maxLength={TEXT_LIMITS.personName} autoComplete="off" />
      <SelectField
        label="与户主关系"
        id={`${idPrefix}-relation`}
        name="relation"
        defaultValue={values?.relation ?? defaults.relation}
        error={errors.relation}
        options={RELATIONS.map((r) => ({ value: r, label: r }))}
      />
      <Field
        label="手机号（可不填）"
        id={`${idPrefix}-phone`}
        name="phone"
        type="tel"
        inputMode="numeric"
        defaultValue={values?.phone ?? defaults.phone}
        error={errors.phone}
        maxLength={SPACED_INPUT_LIMITS.phone}
        autoComplete="off"
      />
      <Check name="canRedeem" label="可以兑换积分" hint="（不勾选则只能攒分，不能在超市兑换）" defaultChecked={values ? values.canRedeem === "on" : defaults.canRedeem} />
    </>
  );
}

function MemberCard({ m, selected, base, result, busy }: { m: AdminMemberRow; selected: boolean; base: string; result?: Reply; busy: boolean }) {
  const mine = result && result.memberId === m.id ? result : undefined;
  // Forms this card shows for the member; a failure of any other (a stale page, a forged post) shows on the card itself.
  const shown = [
    "member.update",
    m.active ? "member.deactivate" : "member.activate",
    ...(m.user_id === null ? (m.active ? ["login.create"] : []) : ["login.reset", m.login_disabled ? "login.enable" : "login.disable"]),
  ];
  const cardError = mine && !mine.ok && (!selected || !shown.includes(mine.intent)) ? (mine.errors._form ?? "请求有误，请刷新页面后再试") : null;
  const errorsFor = (intent: string): Record<string, string | undefined> => (mine && mine.intent === intent ? mine.errors : {});
  const valuesFor = (intent: string) => (mine && mine.intent === intent && !mine.ok ? mine.values : undefined);
  const action = `${base}?m=${m.id}`;
  const classes = ["member", selected ? "selected" : "", m.active ? "" : "inactive"].filter(Boolean).join(" ");
  return (
    <article className={classes} id={`m${m.id}`}>
      <div className="head">
        <div>
          <div className="name">
            {m.name} <span className="muted small">（{m.relation}）</span>
          </div>
          <div className="meta">
            {m.phone ?? "无手机号"}
          </div>
          <div>
            {m.active ? null : <Tag tone="off">已停用</Tag>}
            {m.can_redeem ? <Tag tone="ok">可兑换</Tag> : <Tag>不可兑换</Tag>}
            {m.user_id === null ? <Tag>未开通登录</Tag> : m.login_disabled ? <Tag tone="warn">登录已停用</Tag> : <Tag tone="ok">已开通登录</Tag>}
            {m.user_id !== null && m.must_change_password ? <Tag tone="warn">待改密码</Tag> : null}
          </div>
        </div>
        {selected ? (
          <Link to={base} className="manage">收起</Link>
        ) : (
          <Link to={`${action}#m${m.id}`} className="manage">管理 ›</Link>
        )}
      </div>
      <FormError message={cardError} />
      {mine?.ok && !mine.generated ? <FormOk message={mine.ok} /> : null}
      {mine?.generated ? <PasswordOnce {...mine.generated} /> : null}
      {selected ? (
        <>
          <h3>修改成员信息</h3>
          <Form method="post" action={action} noValidate>
            <input type="hidden" name="intent" value="member.update" />
            <input type="hidden" name="memberId" value={m.id} />
            <MemberFields
              idPrefix={`m${m.id}`}
              errors={errorsFor("member.update")}
              values={valuesFor("member.update")}
              defaults={{ name: m.name, relation: m.relation, phone: m.phone ?? "", canRedeem: m.can_redeem === 1 }}
            />
            <button type="submit" className="primary block" disabled={busy}>保存</button>
          </Form>

          <h3>登录账号</h3>
          {m.user_id === null ? (
            m.active ? (
              <LoginCreate m={m} action={action} errors={errorsFor("login.create")} values={valuesFor("login.create")} busy={busy} />
            ) : (
              <p className="muted">成员已停用，不能开通登录。</p>
            )
          ) : (
            <div className="stack">
              <p style={{ margin: 0 }}>
                登录手机号 <strong>{m.login_phone}</strong>
              </p>
              <Form method="post" action={action} noValidate>
                <input type="hidden" name="intent" value="login.reset" />
                <input type="hidden" name="memberId" value={m.id} />
                <FormError message={errorsFor("login.reset")._form} />
                <Field
                  label="临时密码（可不填）"
                  id={`m${m.id}-reset`}
                  name="password"
                  type="text"
                  autoComplete="off"
                  error={errorsFor("login.reset").password}
                  hint="不填则自动生成 8 位数字。重置后本人须用临时密码登录并改密码，已登录的手机会退出。"
                />
                <button type="submit" className="secondary block" disabled={busy}>重置密码</button>
              </Form>
              <Form method="post" action={action}>
                <input type="hidden" name="intent" value={m.login_disabled ? "login.enable" : "login.disable"} />
                <input type="hidden" name="memberId" value={m.id} />
                <FormError message={errorsFor(m.login_disabled ? "login.enable" : "login.disable")._form} />
                <button type="submit" className={m.login_disabled ? "secondary block" : "danger secondary block"} disabled={busy}>
                  {m.login_disabled ? "启用登录" : "停用登录"}
                </button>
              </Form>
            </div>
          )}

          <h3>成员状态</h3>
          <Form method="post" action={action}>
            <input type="hidden" name="intent" value={m.active ? "member.deactivate" : "member.activate"} />
            <input type="hidden" name="memberId" value={m.id} />
            <FormError message={errorsFor(m.active ? "member.deactivate" : "member.activate")._form} />
            {m.active ? (
              <p className="muted small">迁出或去世的成员请停用：不能再登录和兑换，以前的积分记录都保留。</p>
            ) : (
              <p className="muted small">启用后成员恢复在册；如需登录，请再启用登录。</p>
            )}
            <button type="submit" className={m.active ? "danger secondary block" : "secondary block"} disabled={busy}>
              {m.active ? "停用成员" : "启用成员"}
            </button>
          </Form>
        </>
      ) : null}
    </article>
  );
}

function LoginCreate({
  m,
  action,
  errors,
  values,
  busy,
}: {
  m: AdminMemberRow;
  action: string;
  errors: Record<string, string | undefined>;
  values?: Record<string, string>;
  busy: boolean;
}) {
  return (
    <Form method="post" action={action} noValidate>
      <input type="hidden" name="intent" value="login.create" />
      <input type="hidden" name="memberId" value={m.id} />
      <FormError message={errors._form} />
      <Field
        label="登录手机号"
        id={`m${m.id}-login-phone`}
        name="phone"
        type="tel"
        inputMode="numeric"
        defaultValue={values?.phone ?? m.phone ?? ""}
        error={errors.phone}
        maxLength={SPACED_INPUT_LIMITS.phone}
        autoComplete="off"
      />
      <Field
        label="初始密码（可不填）"
        id={`m${m.id}-login-password`}
        name="password"
        type="text"
        autoComplete="off"
        error={errors.password}
        hint="至少 8 位；不填则自动生成 8 位数字。首次登录须修改。"
      />
      <p className="muted small">角色：村民{m.is_head ? "、户主" : ""}</p>
      <button type="submit" className="primary block" disabled={busy}>开通登录</button>
    </Form>
  );
}
