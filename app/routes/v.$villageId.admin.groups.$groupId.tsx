import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import groupStyles from "~/groups/groups.css";
import { Field, FormError, FormOk } from "~/ui/field";
import { SelectField } from "~/ui/form-parts";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf, echoValues } from "~/platform/forms.server";
import { groupOr404, groupPageIntent, householdsForGroup, leaderCandidates, renameGroup, setGroupHouseholds, setGroupLeader } from "~/groups/admin.server";
import { GROUP_LIMITS } from "~/groups/labels";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: groupStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.group.name ?? "联户"} · 村务管理 · 积分超市` }];

const ADMIN = ["village_admin", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  const group = await groupOr404(villageId, idParam(params.groupId));
  const candidates = await leaderCandidates(villageId);
  return {
    villageId,
    group,
    // Villagers of the group's grid first: a leader usually lives among the households they look after.
    candidates: [...candidates.filter((c) => c.grid_id === group.grid_id), ...candidates.filter((c) => c.grid_id !== group.grid_id)],
    households: await householdsForGroup(villageId, group.grid_id),
  };
}

interface Reply {
  intent: string;
  ok?: string;
  errors: Record<string, string>;
  values?: Record<string, string>;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const groupId = idParam(params.groupId);
  const raw = await readForm(request);
  const fields = formToObject(raw);
  const form = { ...fields, householdIds: raw.getAll("householdId").filter((v): v is string => typeof v === "string") };
  const intent = fields.intent ?? "";
  const parsed = groupPageIntent.safeParse(form);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent) errors._form = errors.intent;
    return data<Reply>({ intent, errors, values: echoValues(formToObject(raw), ["name", "leaderUserId"]) }, { status: 400 });
  }
  const i = parsed.data;
  const actor = actorOf(access);
  const out =
    i.intent === "group.rename"
      ? await renameGroup(actor, villageId, groupId, i.name)
      : i.intent === "group.leader"
        ? await setGroupLeader(actor, villageId, groupId, i.leaderUserId)
        : await setGroupHouseholds(actor, villageId, groupId, i.householdIds);
  if (!out.ok) return data<Reply>({ intent, errors: out.errors, values: echoValues(formToObject(raw), ["name", "leaderUserId"]) }, { status: out.status ?? 400 });
  const ok = i.intent === "group.rename" ? "已改名" : i.intent === "group.leader" ? (i.leaderUserId === null ? "已取消联户长" : "已设置联户长") : `已保存，这个联户现在有 ${i.householdIds.length} 户`;
  return data<Reply>({ intent, ok, errors: {} });
}

export default function GroupAdmin() {
  const { villageId, group, candidates, households } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const mine = (intent: string) => (result?.intent === intent ? result : undefined);
  const rename = mine("group.rename");
  const leader = mine("group.leader");
  const picks = mine("group.households");
  const known = !result || ["group.rename", "group.leader", "group.households"].includes(result.intent);
  return (
    <>
      <p className="muted small"><Link to={`/v/${villageId}/admin/groups`} className="back">‹ 全部联户</Link></p>
      <section className="card">
        <h2>{group.name}</h2>
        <p className="muted">所在网格：{group.grid ?? "未分网格"}</p>
        {params.get("created") && !result ? <FormOk message="已新建联户。请设置联户长，再勾选这个联户的住户。" /> : null}
        {!known ? <FormError message={result?.errors._form ?? "请求有误，请刷新页面后再试"} /> : null}
        <FormOk message={rename?.ok} />
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="group.rename" />
          <Field label="联户名称" name="name" maxLength={GROUP_LIMITS.name} autoComplete="off" defaultValue={rename && !rename.ok ? rename.values?.name : group.name} error={rename?.errors.name ?? rename?.errors._form} />
          <button type="submit" className="secondary block" disabled={busy}>改名</button>
        </Form>
      </section>
      <section className="card">
        <h2>联户长</h2>
        <p className="muted small">从本村有登录账号的村民里选。联户长能看到本联户各户的姓名、住址、电话和申报记录，可以替他们申报积分（由村委审核、公示）。</p>
        <FormOk message={leader?.ok} />
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="group.leader" />
          <SelectField
            label="联户长"
            name="leaderUserId"
            defaultValue={leader && !leader.ok ? (leader.values?.leaderUserId ?? "") : String(group.leader_user_id ?? "")}
            options={[{ value: "", label: "（不设联户长）" }, ...candidates.map((c) => ({ value: String(c.id), label: `${c.name} ${c.phone}（${c.household}号户）` }))]}
            error={leader?.errors.leaderUserId ?? leader?.errors._form}
          />
          <button type="submit" className="primary block" disabled={busy}>保存联户长</button>
        </Form>
      </section>
      <section className="card">
        <h2>本联户的住户</h2>
        <p className="muted small">勾选属于这个联户的住户（本网格的住户）。勾选其他联户的住户，会把它调到这个联户。</p>
        <FormOk message={picks?.ok} />
        <FormError message={picks?.errors.householdIds ?? picks?.errors._form} />
        {households.length === 0 ? (
          <p className="muted">这个网格还没有住户</p>
        ) : (
          <Form method="post" noValidate>
            <input type="hidden" name="intent" value="group.households" />
            <fieldset className="household-picks">
              <legend>住户（{households.length} 户）</legend>
              {households.map((h) => (
                <label className="check" key={h.id}>
                  <input type="checkbox" name="householdId" value={h.id} defaultChecked={h.group_id === group.id} />
                  <span>
                    {h.number}号户 {h.head ?? ""}
                    <span className="muted small"> {h.address}{h.group_id !== null && h.group_id !== group.id ? ` · 现属${h.groupName}` : ""}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            <button type="submit" className="primary block" disabled={busy}>保存住户</button>
          </Form>
        )}
      </section>
    </>
  );
}
