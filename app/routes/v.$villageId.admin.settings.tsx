import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormOk } from "~/ui/field";
import { SelectField } from "~/ui/form-parts";
import { RANKING_NAME_CHOICES } from "~/printables/labels";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf, echoValues } from "~/platform/forms.server";
import { APPROVALS_CHOICES, NOTICE_DAYS_MAX } from "~/rules/labels";
import { settingsSchema, updateVillageSettings, villageSettings } from "~/rules/rules.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { APPEAL_DAYS_DEFAULT, APPEAL_DAYS_MAX } from "~/appeals/labels";
import { EXPIRY_FIELDS } from "~/expiry/settings.server";
import { ExpirySettingsFields } from "~/expiry/settings-fields";
import expiryStyles from "~/expiry/expiry.css";
import { FLAG_FIELDS } from "~/flags/settings.server";
import { FlagSettingsFields } from "~/flags/settings-fields";
import flagStyles from "~/flags/flags.css";
import { ErrandRuleForm } from "~/errands/settings-form";
import { errandSettingFromForm, errandSettings } from "~/errands/settings.server";
import { GROUP_FIELDS } from "~/groups/settings.server";
import { LEADER_BALANCE_CHOICES } from "~/groups/labels";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: expiryStyles }, { rel: "stylesheet", href: flagStyles }];

export const meta: MetaFunction = () => [{ title: "审核与公示设置 · 村务管理 · 积分超市" }];

const ADMIN = ["village_admin", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  return { ...(await villageSettings(villageId)), errand: await errandSettings(villageId) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const form = formToObject(await readForm(request));
  // 代跑 (issue 18): the errand rule is its own small form on this page.
  if (form.intent === "errandRule") return await errandSettingFromForm(actorOf(access), villageId, form);
  const parsed = settingsSchema.safeParse(form);
  if (!parsed.success) return data({ ok: null, errors: fieldErrors(parsed.error), values: echoValues(form, ["noticeDays", "approvalsNeeded", "rankingNames", ...EXPIRY_FIELDS, "appealDays", ...FLAG_FIELDS, ...GROUP_FIELDS]) }, { status: 400 });
  await updateVillageSettings(actorOf(access), villageId, parsed.data);
  return { ok: "已保存。公示天数和审核人数对之后审核通过的申报生效；排行榜上的姓名立即按新设置显示；积分过期设置从现在起生效；申诉天数立即生效；流动红旗设置从下一次公布评比起生效。", errors: {} as Record<string, string>, values: null };
}

export default function Settings() {
  const s = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  return (
    <section className="card narrow">
      <h2 style={{ marginTop: 0 }}>审核与公示</h2>
      <FormOk message={result?.ok} />
      <Form method="post" noValidate>
        <Field
          label="公示天数"
          name="noticeDays"
          inputMode="numeric"
          maxLength={String(NOTICE_DAYS_MAX).length}
          defaultValue={result?.values?.noticeDays ?? String(s.noticeDays)}
          error={errors.noticeDays}
          hint={`审核通过后在公示栏公示的天数，0 到 ${NOTICE_DAYS_MAX}。填 0 表示审核通过立即入账。`}
        />
        <label htmlFor="f-approvalsNeeded">每条申报需要几位村委审核通过</label>
        <select
          id="f-approvalsNeeded"
          name="approvalsNeeded"
          defaultValue={result?.values?.approvalsNeeded ?? String(s.approvalsNeeded)}
          aria-invalid={errors.approvalsNeeded ? true : undefined}
          aria-describedby={errors.approvalsNeeded ? "f-approvalsNeeded-err" : undefined}
        >
          {APPROVALS_CHOICES.map((n) => <option key={n} value={n}>{n} 位</option>)}
        </select>
        {errors.approvalsNeeded ? <p className="field-error" id="f-approvalsNeeded-err">{errors.approvalsNeeded}</p> : null}
        <h2>积分排行</h2>
        <SelectField
          label="排行榜和海报上的户主姓名"
          name="rankingNames"
          options={[...RANKING_NAME_CHOICES]}
          defaultValue={result?.values?.rankingNames ?? s.rankingNames}
          error={errors.rankingNames}
        />
        <ExpirySettingsFields
          values={{
            expiryMode: result?.values?.expiryMode ?? s.expiryMode,
            expiryMonths: result?.values?.expiryMonths ?? String(s.expiryMonths),
            expiryNoticeDays: result?.values?.expiryNoticeDays ?? String(s.expiryNoticeDays),
          }}
          errors={errors}
        />
        <h2>申诉</h2>
        <Field
          label="入账后几天内可以申诉"
          name="appealDays"
          inputMode="numeric"
          maxLength={String(APPEAL_DAYS_MAX).length}
          defaultValue={result?.values?.appealDays ?? String(s.appealDays ?? APPEAL_DAYS_DEFAULT)}
          error={errors.appealDays}
          hint={`村民对已入账的奖励或扣分有不同意见，可在这些天内向村委申诉，0 到 ${APPEAL_DAYS_MAX}。填 0 表示不开放申诉。`}
        />
        <FlagSettingsFields values={{ redFlags: result?.values?.redFlags ?? String(s.redFlags ?? 0), redFlagScope: result?.values?.redFlagScope ?? s.redFlagScope ?? "village" }} errors={errors} />
        <h2>联户长</h2>
        <SelectField
          label="联户长能否看到本联户各户的积分余额"
          name="leaderBalances"
          options={[...LEADER_BALANCE_CHOICES]}
          defaultValue={result?.values?.leaderBalances ?? s.leaderBalances ?? "hide"}
          error={errors.leaderBalances}
        />
        <button type="submit" className="primary block" disabled={busy}>保存</button>
      </Form>
      <ErrandRuleForm setting={s.errand} result={result} busy={busy} />
    </section>
  );
}
