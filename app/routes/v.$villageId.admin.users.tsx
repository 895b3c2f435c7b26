import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { PasswordOnce, RoleChecks, Tag } from "~/ui/form-parts";
import { Pager } from "~/ui/pager";
import { Field, FormError, FormOk } from "~/ui/field";
import { idParam, requireRole } from "~/platform/access.server";
import { SPACED_INPUT_LIMITS, TEXT_LIMITS } from "~/people/limits";
import { actorOf, echoValues, type Outcome } from "~/platform/forms.server";
import { usersPageIntent } from "~/people/admin-forms.server";
import { searchTerm } from "~/people/household-admin.server";
import { ROLE_LABELS, VILLAGE_ROLES } from "~/platform/roles";

// 户主 is not ticked by hand: it follows the roster (the member who is the household's head).
const ASSIGNABLE_ROLES = VILLAGE_ROLES.filter((r) => r !== "household_head");
import {
  changeVillageRoles,
  createLogin,
  resetUserPassword,
  rolesFromForm,
  searchLinkableMembers,
  setLoginDisabled,
  userInVillage,
  villageMember,
  villageUsers,
} from "~/people/staff.server";
import { fieldErrors, formToObject, pageSchema, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "账号与角色 · 村务管理 · 积分超市" }];

const ADMIN = ["village_admin", "township_admin"] as const;


const idQuery = (s: string | null) => (s && /^\d{1,12}$/.test(s) ? Number(s) : null);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const url = new URL(request.url);
  const q = searchTerm(url.searchParams.get("q"));
  const all = url.searchParams.get("show") === "all";
  const page = pageSchema.parse(url.searchParams.get("page"));
  const userId = idQuery(url.searchParams.get("user"));
  const memberId = idQuery(url.searchParams.get("member"));
  const mq = searchTerm(url.searchParams.get("mq"));
  const linked = memberId !== null ? await villageMember(villageId, memberId) : undefined;
  return {
    villageId,
    viewerId: access.viewer.userId,
    township: access.role === "township_admin",
    q,
    all,
    list: await villageUsers(villageId, q, !all, page),
    selected: userId !== null ? await userInVillage(villageId, userId) : null,
    mq,
    candidates: await searchLinkableMembers(villageId, mq),
    linked: linked && !linked.has_login ? linked : null,
  };
}

interface Reply {
  intent: string;
  userId: number | null;
  errors: Record<string, string>;
  values?: Record<string, string>;
  ok?: string;
  generated?: { phone: string; password: string; title: string };
  createdId?: number;
  stamp?: number;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const fd = await readForm(request);
  const form = formToObject(fd);
  const parsed = usersPageIntent.safeParse({ ...form, roles: rolesFromForm(fd) });
  const rawUser = idQuery(form.userId ?? null);
  const values = { ...echoValues(form, ["displayName", "phone", "memberId"]), roles: rolesFromForm(fd).slice(0, 10).join(",") };
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.userId) errors._form = errors.intent ?? errors.userId;
    return data<Reply>({ intent: form.intent ?? "", userId: rawUser, errors, values }, { status: 400 });
  }
  const i = parsed.data;
  const actor = actorOf(access);
  const userId = "userId" in i ? i.userId : null;
  // An id from the form must name a login of this village, or it is a 404.
  const target = userId !== null ? await userInVillage(villageId, userId) : null;
  const reply = (out: Outcome, ok: string, extra: Partial<Reply> = {}) =>
    out.ok
      ? data<Reply>({ intent: i.intent, userId, errors: {}, ok, stamp: Date.now(), ...extra })
      : data<Reply>({ intent: i.intent, userId, errors: out.errors, values }, { status: out.status ?? 400 });

  switch (i.intent) {
    case "user.create": {
      const out = await createLogin(actor, villageId, i);
      if (!out.ok) return reply(out, "");
      return reply(out, `已为 ${i.displayName} 开通账号，首次登录须修改密码`, {
        createdId: out.userId,
        generated: out.generated ? { phone: i.phone, password: out.generated, title: `已为 ${i.displayName} 开通账号` } : undefined,
      });
    }
    case "user.roles":
      return reply(await changeVillageRoles(actor, villageId, i.userId, i.roles), "角色已保存");
    case "user.reset": {
      const out = await resetUserPassword(actor, villageId, i.userId, i.password);
      return reply(out, `${target!.display_name} 的密码已重置，下次登录须修改密码`, {
        generated: out.ok && out.generated ? { phone: target!.phone, password: out.generated, title: `${target!.display_name} 的密码已重置` } : undefined,
      });
    }
    case "user.disable":
    case "user.enable": {
      const off = i.intent === "user.disable";
      return reply(await setLoginDisabled(actor, villageId, i.userId, off), off ? "登录已停用" : "登录已启用");
    }
  }
}

export default function Users() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const base = `/v/${d.villageId}/admin/users`;
  const listQuery = { ...(d.q ? { q: d.q } : {}), ...(d.all ? { show: "all" } : {}) };
  const link = (p: number) => `${base}?${new URLSearchParams({ ...listQuery, page: String(p) })}`;
  const sel = d.selected;
  const selResult = result && sel && result.userId === sel.id ? result : undefined;
  const createResult = result && result.intent === "user.create" ? result : undefined;
  const createErrors: Record<string, string | undefined> = createResult && !createResult.ok ? createResult.errors : {};
  const createValues = createResult && !createResult.ok ? createResult.values : undefined;
  const handled = !!createResult || !!selResult;
  // Forms the selected account's card shows; a failure of any other (stale page, own account) shows on the card.
  const selShown = sel
    ? ["user.roles", ...(sel.id === d.viewerId || (sel.elsewhere && !d.township) ? [] : ["user.reset", sel.disabled ? "user.enable" : "user.disable"])]
    : [];
  const selCardError = selResult && !selResult.ok && !selShown.includes(selResult.intent) ? (selResult.errors._form ?? "请求有误，请刷新页面后再试") : null;
  const topError = result && !result.ok && !handled ? (result.errors._form ?? "请求有误，请刷新页面后再试") : null;
  const createOpen = !!(d.linked || d.mq || (createResult && !createResult.ok));

  return (
    <>
      <FormError message={topError} />
      {sel ? (
        <section className="card" id="user">
          <div className="toolbar">
            <h2>
              {sel.display_name} <span className="muted small">{sel.phone}</span>
            </h2>
            <Link to={`${base}${Object.keys(listQuery).length ? `?${new URLSearchParams(listQuery)}` : ""}`} className="manage">收起</Link>
          </div>
          <p style={{ margin: 0 }}>
            {sel.disabled ? <Tag tone="warn">登录已停用</Tag> : <Tag tone="ok">可以登录</Tag>}
            {sel.must_change_password ? <Tag tone="warn">待改密码</Tag> : null}
            {sel.household_id ? (
              <>
                {" "}
                村民：<Link to={`/v/${d.villageId}/admin/households/${sel.household_id}`}>{sel.member_name}（{sel.household_number}号户）</Link>
                {sel.member_active === 0 ? <Tag tone="off">成员已停用</Tag> : null}
              </>
            ) : (
              <span className="muted small"> 未关联村民</span>
            )}
          </p>
          <FormError message={selCardError} />
          {selResult?.ok && !selResult.generated ? <FormOk message={selResult.ok} /> : null}
          {selResult?.generated ? <PasswordOnce {...selResult.generated} /> : null}
          {sel.elsewhere && !d.township ? (
            <p className="warn small">这个账号在其他村或乡镇也有角色。这里只能修改本村的角色；重置密码、停用登录请联系乡镇管理员。</p>
          ) : null}

          <Form method="post" action={`${base}?user=${sel.id}`} noValidate key={`roles-${sel.id}-${selResult?.stamp ?? 0}`}>
            <input type="hidden" name="intent" value="user.roles" />
            <input type="hidden" name="userId" value={sel.id} />
            <FormError message={selResult?.intent === "user.roles" ? selResult.errors._form : undefined} />
            <RoleChecks
              idPrefix="sel"
              roles={ASSIGNABLE_ROLES}
              checked={selResult?.intent === "user.roles" && !selResult.ok ? (selResult.values?.roles ?? "").split(",") : sel.roles}
              error={selResult?.intent === "user.roles" ? selResult.errors.roles : undefined}
            />
            {sel.id === d.viewerId && !d.township && !(selResult?.intent === "user.roles" && selResult.errors.roles) ? (
              <p className="muted small">你不能取消自己的村管理员角色。</p>
            ) : null}
            <button type="submit" className="primary block" disabled={busy}>保存角色</button>
          </Form>

          {sel.id === d.viewerId ? (
            <p className="muted small">
              修改自己的密码请到 <Link to="/password">修改密码</Link>。
            </p>
          ) : sel.elsewhere && !d.township ? null : (
            <>
              <Form method="post" action={`${base}?user=${sel.id}`} noValidate style={{ marginTop: "1rem" }}>
                <input type="hidden" name="intent" value="user.reset" />
                <input type="hidden" name="userId" value={sel.id} />
                <FormError message={selResult?.intent === "user.reset" ? selResult.errors._form : undefined} />
                <Field
                  label="临时密码（可不填）"
                  id="sel-password"
                  name="password"
                  type="text"
                  autoComplete="off"
                  error={selResult?.intent === "user.reset" ? selResult.errors.password : undefined}
                  hint="不填则自动生成 8 位数字。重置后须用临时密码登录并改密码，已登录的设备会退出。"
                />
                <button type="submit" className="secondary block" disabled={busy}>重置密码</button>
              </Form>
              <Form method="post" action={`${base}?user=${sel.id}`} style={{ marginTop: ".75rem" }}>
                <input type="hidden" name="intent" value={sel.disabled ? "user.enable" : "user.disable"} />
                <input type="hidden" name="userId" value={sel.id} />
                <FormError message={selResult?.intent === "user.enable" || selResult?.intent === "user.disable" ? selResult.errors._form : undefined} />
                <button type="submit" className={sel.disabled ? "secondary block" : "danger secondary block"} disabled={busy}>
                  {sel.disabled ? "启用登录" : "停用登录"}
                </button>
              </Form>
            </>
          )}
        </section>
      ) : null}

      {createResult?.ok ? (
        <section className="card">
          {createResult.generated ? null : <FormOk message={createResult.ok} />}
          {createResult.generated ? <PasswordOnce {...createResult.generated} /> : null}
          {createResult.createdId ? <Link className="manage" to={`${base}?user=${createResult.createdId}`}>查看这个账号 ›</Link> : null}
        </section>
      ) : null}

      <section className="card">
        <h2 style={{ marginTop: 0 }}>{d.all ? "全部账号" : "工作人员账号"}</h2>
        <Form method="get" className="search" role="search">
          <label htmlFor="uq" className="sr-only">搜索账号</label>
          <input id="uq" name="q" type="search" defaultValue={d.q} placeholder="姓名或手机号" maxLength={TEXT_LIMITS.search} />
          {d.all ? <input type="hidden" name="show" value="all" /> : null}
          <button type="submit" className="secondary">搜索</button>
        </Form>
        <p className="muted small count">
          共 {d.list.total} 个 ·{" "}
          {d.all ? (
            <Link to={`${base}${d.q ? `?q=${encodeURIComponent(d.q)}` : ""}`}>只看工作人员</Link>
          ) : (
            <Link to={`${base}?${new URLSearchParams({ ...(d.q ? { q: d.q } : {}), show: "all" })}`}>显示全部账号（含村民）</Link>
          )}
        </p>
        {d.list.rows.length === 0 ? <p className="muted">没有找到账号</p> : null}
        <ul className="list">
          {d.list.rows.map((u) => (
            <li key={u.id}>
              <Link to={`${base}?${new URLSearchParams({ ...listQuery, ...(d.list.page > 1 ? { page: String(d.list.page) } : {}), user: String(u.id) })}#user`} className="item">
                <span className="main">
                  <span className="title">
                    {u.display_name} <span className="muted small">{u.phone}</span>
                  </span>
                  <span className="sub">
                    {u.roles.map((r) => (
                      <Tag key={r}>{ROLE_LABELS[r]}</Tag>
                    ))}
                    {u.disabled ? <Tag tone="warn">已停用</Tag> : null}
                    {u.must_change_password ? <Tag tone="warn">待改密码</Tag> : null}
                    {u.household_number ? <span className="nowrap"> {u.household_number}号户</span> : null}
                  </span>
                </span>
                <span className="go">管理 ›</span>
              </Link>
            </li>
          ))}
        </ul>
        <Pager page={d.list.page} pages={d.list.pages} link={link} />
      </section>

      <details className="panel" id="new" open={createOpen}>
        <summary>新建工作人员账号</summary>
        <div className="body">
          <p className="muted small">村民的登录请在住户页开通。这里给网格员、店主、村委委员、管理员等开通账号。</p>
          <h3 className="subhead">关联村民（可不选）</h3>
          {d.linked ? (
            <p>
              已选：<strong>{d.linked.name}</strong>（{d.linked.household_number}号户，{d.linked.relation}）{" "}
              <Link to={`${base}#new`} className="manage">取消关联</Link>
            </p>
          ) : (
            <>
              <Form method="get" action={`${base}#new`} className="search" role="search">
                <label htmlFor="mq" className="sr-only">查找村民</label>
                <input id="mq" name="mq" type="search" defaultValue={d.mq} placeholder="姓名、手机号或户号" maxLength={TEXT_LIMITS.search} />
                <button type="submit" className="secondary">查找</button>
              </Form>
              {d.mq && d.candidates.length === 0 ? <p className="muted small">没有找到未开通登录的在册村民</p> : null}
              {d.candidates.length >= 20 ? <p className="muted small">只列出前 20 位，找不到请输入全名或手机号</p> : null}
              <ul className="list">
                {d.candidates.map((m) => (
                  <li key={m.id}>
                    <Link to={`${base}?member=${m.id}#new`} className="item">
                      <span className="main">
                        <span className="title">{m.name}</span>
                        <span className="sub">
                          <span className="seg">{m.household_number}号户 · {m.relation}</span>
                          {m.phone ? <> · <span className="seg">{m.phone}</span></> : null}
                        </span>
                      </span>
                      <span className="go">选这位 ›</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
          <Form method="post" action={`${base}${d.linked ? `?member=${d.linked.id}` : ""}`} noValidate key={`create-${createResult?.stamp ?? 0}`}>
            <input type="hidden" name="intent" value="user.create" />
            <input type="hidden" name="memberId" value={d.linked?.id ?? ""} />
            <FormError message={createErrors._form ?? createErrors.memberId} />
            <Field label="姓名" id="new-name" name="displayName" defaultValue={createValues?.displayName ?? d.linked?.name ?? ""} error={createErrors.displayName} maxLength={TEXT_LIMITS.personName} autoComplete="off" />
            <Field
              label="登录手机号"
              id="new-phone"
              name="phone"
              type="tel"
              inputMode="numeric"
              defaultValue={createValues?.phone ?? d.linked?.phone ?? ""}
              error={createErrors.phone}
              maxLength={SPACED_INPUT_LIMITS.phone}
              autoComplete="off"
            />
            <Field
              label="初始密码（可不填）"
              id="new-password"
              name="password"
              type="text"
              autoComplete="off"
              error={createErrors.password}
              hint="至少 8 位；不填则自动生成 8 位数字。首次登录须修改。"
            />
            <RoleChecks
              idPrefix="new"
              roles={ASSIGNABLE_ROLES}
              checked={createValues ? createValues.roles.split(",") : d.linked ? (d.linked.is_head ? ["villager", "household_head"] : ["villager"]) : []}
              error={createErrors.roles}
            />
            <button type="submit" className="primary block" disabled={busy}>开通账号</button>
          </Form>
        </div>
      </details>
    </>
  );
}
