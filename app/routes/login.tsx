import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field, FormError } from "~/ui/field";
import { getViewer } from "~/platform/access.server";
import { signIn, signInSchema } from "~/platform/auth.server";
import { SPACED_INPUT_LIMITS } from "~/people/limits";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { localPath } from "~/platform/local-path";

export const meta: MetaFunction = () => [{ title: "登录 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getViewer(request)) throw redirect("/");
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = formToObject(await readForm(request));
  const parsed = signInSchema.safeParse(form);
  if (!parsed.success) return data({ errors: fieldErrors(parsed.error), phone: form.phone ?? "" }, { status: 400 });
  const result = await signIn(request, parsed.data.phone, parsed.data.password, context.ip ?? "unknown");
  if (!result.ok) return data({ errors: { _form: result.error }, phone: parsed.data.phone }, { status: 400 });
  const next = result.mustChangePassword ? "/password" : localPath(new URL(request.url).searchParams.get("next"));
  const headers = new Headers();
  headers.append("Set-Cookie", result.setCookie);
  headers.append("Set-Cookie", result.deviceCookie);
  return redirect(next, { headers });
}

export default function Login() {
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const busy = useNavigation().state !== "idle";
  const [params] = useSearchParams();
  return (
    <section className="card narrow">
      <h1>登录</h1>
      <Form method="post" action={`/login${params.get("next") ? `?next=${encodeURIComponent(params.get("next")!)}` : ""}`} noValidate>
        <FormError message={errors._form} />
        <Field label="手机号" name="phone" type="tel" inputMode="numeric" autoComplete="username" defaultValue={result?.phone} error={errors.phone} maxLength={SPACED_INPUT_LIMITS.phone} />
        <Field label="密码" name="password" type="password" autoComplete="current-password" error={errors.password} />
        <button type="submit" className="primary block" disabled={busy}>{busy ? "正在登录……" : "登录"}</button>
      </Form>
      <p className="muted small">忘记密码请找村管理员重置。</p>
      <p className="muted small">没有智能手机的村民：带上<span className="nowrap">户卡</span>到村超市柜台，输入本户的 6 位兑换密码，就能用积分兑换。</p>
    </section>
  );
}
