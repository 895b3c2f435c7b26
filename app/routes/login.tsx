import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field, FormError } from "~/ui/field";
import { getViewer } from "~/platform/access.server";
import { signIn, signInSchema } from "~/platform/auth.server";
import { SPACED_INPUT_LIMITS } from "~/people/limits";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "登录 · 积分超市" }];

/** Only a path on this site: "/\\evil.example" and "/\t/evil.example" are other hosts to a browser. */
function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || /[\\\u0000-\u001f]/.test(next)) return "/";
  const url = new URL(next, "http://here.invalid");
  return url.origin === "http://here.invalid" ? url.pathname + url.search : "/";
}

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
  const next = result.mustChangePassword ? "/password" : safeNext(new URL(request.url).searchParams.get("next"));
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
      <p className="muted small">忘记密码请找村管理员重置。没有智能手机的村民可以在村超市用户卡和密码兑换。</p>
    </section>
  );
}
