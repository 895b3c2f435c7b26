import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import { PasswordOnce } from "~/ui/form-parts";
import { Field, FormError, FormOk } from "~/ui/field";
import { requireRole } from "~/platform/access.server";
import { SPACED_INPUT_LIMITS, TEXT_LIMITS } from "~/people/limits";
import { actorOf, echoValues } from "~/platform/forms.server";
import { createVillageWithAdmin, newVillageSchema, townshipOverview } from "~/people/village-admin.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

export const meta: MetaFunction = () => [{ title: "乡镇管理 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ["township_admin"], null);
  return townshipOverview();
}

interface Reply {
  errors: Record<string, string>;
  values?: Record<string, string>;
  ok?: string;
  villageId?: number;
  generated?: { phone: string; password: string; title: string };
  stamp?: number;
}

export async function action({ request }: ActionFunctionArgs) {
  const access = await requireRole(request, ["township_admin"], null);
  const form = formToObject(await readForm(request));
  const values = echoValues(form, ["name", "code", "noticeDays", "adminName", "adminPhone"]);
  const parsed = newVillageSchema.safeParse(form);
  if (!parsed.success) return data<Reply>({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const f = parsed.data;
  const out = await createVillageWithAdmin(actorOf(access), f);
  if (!out.ok) return data<Reply>({ errors: out.errors, values }, { status: out.status ?? 400 });
  return data<Reply>({
    errors: {},
    ok: `已新建 ${f.name}，村管理员 ${f.adminName}（${f.adminPhone}）首次登录须修改密码`,
    villageId: out.villageId,
    generated: out.generated ? { phone: f.adminPhone, password: out.generated, title: `${f.name} 村管理员 ${f.adminName}` } : undefined,
    stamp: Date.now(),
  });
}

export default function Township() {
  const { township, year, villages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const errors: Record<string, string | undefined> = result && !result.ok ? result.errors : {};
  const v = result && !result.ok ? result.values : undefined;
  const sum = (k: "households" | "members" | "logins" | "balance" | "score") => villages.reduce((n, x) => n + x[k], 0);
  return (
    <>
      <h1>{township || "乡镇"} · 乡镇管理</h1>
      <p className="row"><Link to="/township/dashboard" className="button" data-testid="dashboard-link">乡镇看板：各村积分、参与和结算 ›</Link></p>
      <p className="row"><Link to="/township/exports" className="button secondary" data-testid="exports-link">导出 Excel 表格（全乡镇或一个村）›</Link></p>
      {result?.ok ? (
        <section className="card">
          {result.generated ? null : <FormOk message={result.ok} />}
          {result.generated ? <PasswordOnce {...result.generated} /> : null}
          {result.villageId ? <Link className="manage" to={`/v/${result.villageId}/admin`}>进入新村的管理 ›</Link> : null}
        </section>
      ) : null}
      <p className="muted small">
        <span className="nowrap">共 {villages.length} 个村</span> · <span className="nowrap">{sum("households")} 户</span> ·{" "}
        <span className="nowrap">{sum("members")} 人</span> · <span className="nowrap">可用积分合计 {sum("balance")}</span> ·{" "}
        <span className="nowrap">{year}年累计 {sum("score")}</span>
      </p>
      <div className="villages">
        {villages.map((x) => (
          <section className="card" key={x.id}>
            <div className="toolbar">
              <h2>
                {x.name} <span className="muted small">{x.code}</span>
              </h2>
              <Link to={`/v/${x.id}/admin`} className="manage">管理 ›</Link>
            </div>
            <div className="stats">
              <Stat n={x.households} l="户" />
              <Stat n={x.members} l="在册人数" />
              <Stat n={x.logins} l="登录账号" />
              <Stat n={x.balance} l="可用积分" />
              <Stat n={x.score} l="今年累计" />
              <Stat n={x.notice_days} l="公示天数" />
            </div>
          </section>
        ))}
      </div>
      {villages.length === 0 ? <p className="card muted">还没有村。请在下面新建第一个村。</p> : null}

      <details className="panel" open={!!result && !result.ok} style={{ marginTop: "1rem" }}>
        <summary>新建村和村管理员</summary>
        <div className="body">
          <Form method="post" noValidate key={`v-${result?.stamp ?? 0}`}>
            <FormError message={errors._form} />
            <Field label="村名" name="name" defaultValue={v?.name} error={errors.name} maxLength={TEXT_LIMITS.villageName} autoComplete="off" hint="如 大庄村" />
            <Field label="村代码" name="code" defaultValue={v?.code} error={errors.code} maxLength={SPACED_INPUT_LIMITS.villageCode} autoComplete="off" autoCapitalize="characters" hint="2 到 10 位大写字母或数字，如 DZC，不能和别的村重复" />
            <Field label="公示天数" name="noticeDays" type="text" inputMode="numeric" defaultValue={v?.noticeDays ?? "3"} error={errors.noticeDays} maxLength={SPACED_INPUT_LIMITS.noticeDays} hint="加分批准后公示几天再到账；0 表示立即到账" />
            <h3 className="subhead">第一位村管理员</h3>
            <Field label="姓名" name="adminName" defaultValue={v?.adminName} error={errors.adminName} maxLength={TEXT_LIMITS.personName} autoComplete="off" />
            <Field label="手机号" name="adminPhone" type="tel" inputMode="numeric" defaultValue={v?.adminPhone} error={errors.adminPhone} maxLength={SPACED_INPUT_LIMITS.phone} autoComplete="off" />
            <Field label="初始密码（可不填）" name="adminPassword" type="text" autoComplete="off" error={errors.adminPassword} hint="至少 8 位；不填则自动生成 8 位数字。首次登录须修改。" />
            <button type="submit" className="primary block" disabled={busy}>新建村</button>
          </Form>
        </div>
      </details>
    </>
  );
}

function Stat({ n, l }: { n: number; l: string }) {
  return (
    <div className="stat">
      <div className="n">{n}</div>
      <div className="l">{l}</div>
    </div>
  );
}
