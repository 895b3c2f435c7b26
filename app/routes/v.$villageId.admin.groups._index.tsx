import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import groupStyles from "~/groups/groups.css";
import { Field, FormError } from "~/ui/field";
import { SelectField } from "~/ui/form-parts";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf, echoValues } from "~/platform/forms.server";
import { createGroup, gridChoices, groupsOfVillage, groupsPageIntent } from "~/groups/admin.server";
import { GROUP_LIMITS } from "~/groups/labels";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: groupStyles }];

export const meta: MetaFunction = () => [{ title: "联户 · 村务管理 · 积分超市" }];

const ADMIN = ["village_admin", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  return { villageId, grids: await gridChoices(villageId), groups: await groupsOfVillage(villageId) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const form = formToObject(await readForm(request));
  const values = echoValues(form, ["gridId", "name"]);
  const parsed = groupsPageIntent.safeParse(form);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent) errors._form = errors.intent;
    return data({ errors, values }, { status: 400 });
  }
  const out = await createGroup(actorOf(access), villageId, parsed.data.gridId, parsed.data.name);
  if (!out.ok) return data({ errors: out.errors, values }, { status: out.status ?? 400 });
  // On to the new group: its leader and households are set there.
  return redirect(`/v/${villageId}/admin/groups/${out.groupId}?created=1`);
}

export default function Groups() {
  const { villageId, grids, groups } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  const ungrouped = groups.filter((g) => g.grid_id === null);
  return (
    <>
      <section className="card">
        <h2>新建联户</h2>
        <p className="muted small">联户是网格下约 10 到 15 户的小组，由一位村民当联户长：帮没有手机的住户申报积分、代办事情。</p>
        {grids.length === 0 ? (
          <p>还没有网格，请先在“<Link to={`/v/${villageId}/admin/grids`}>网格</Link>”里新增网格。</p>
        ) : (
          <Form method="post" noValidate>
            <FormError message={errors._form} />
            <input type="hidden" name="intent" value="group.create" />
            <SelectField
              label="所在网格"
              name="gridId"
              defaultValue={result?.values?.gridId ?? ""}
              options={[{ value: "", label: "请选择网格" }, ...grids.map((g) => ({ value: String(g.id), label: g.name }))]}
              error={errors.gridId}
            />
            <Field label="联户名称" name="name" placeholder="如：3号联户" maxLength={GROUP_LIMITS.name} autoComplete="off" defaultValue={result?.values?.name} error={errors.name} />
            <button type="submit" className="primary block" disabled={busy}>新建联户</button>
          </Form>
        )}
      </section>
      {grids.map((grid) => {
        const mine = groups.filter((g) => g.grid_id === grid.id);
        return (
          <section className="card" key={grid.id} data-testid={`grid-${grid.id}`}>
            <h2>{grid.name}（{mine.length} 个联户）</h2>
            {mine.length === 0 ? <p className="muted">这个网格还没有联户</p> : <GroupList villageId={villageId} groups={mine} />}
          </section>
        );
      })}
      {ungrouped.length ? (
        <section className="card">
          <h2>未分网格的联户</h2>
          <GroupList villageId={villageId} groups={ungrouped} />
        </section>
      ) : null}
    </>
  );
}

function GroupList({ villageId, groups }: { villageId: number; groups: { id: number; name: string; leader: string | null; households: number }[] }) {
  return (
    <ul className="list">
      {groups.map((g) => (
        <li key={g.id}>
          <Link className="item" to={`/v/${villageId}/admin/groups/${g.id}`}>
            <span className="main">
              <span className="title">{g.name} <span className="small muted">{g.households} 户</span></span>
              <span className="sub">联户长：{g.leader ?? "未设置"}</span>
            </span>
            <span className="go">管理 ›</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
