import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Field, FormError } from "~/ui/field";
import { requireViewer } from "~/platform/access.server";
import { changeOwnPassword, changePasswordSchema } from "~/platform/auth.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "修改密码 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request, { allowPasswordChange: true });
  return { forced: viewer.mustChangePassword };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireViewer(request, { allowPasswordChange: true });
  const parsed = changePasswordSchema.safeParse(formToObject(await readForm(request)));
  if (!parsed.success) return data({ errors: fieldErrors(parsed.error) }, { status: 400 });
  const error = await changeOwnPassword(viewer.userId, viewer.sessionId, parsed.data.current, parsed.data.next);
  if (error) return data({ errors: { current: error } as Record<string, string> }, { status: 400 });
  return redirect("/?changed=1");
}

export default function ChangePassword() {
  const { forced } = useLoaderData<typeof loader>();
  const errors: Record<string, string | undefined> = useActionData<typeof action>()?.errors ?? {};
  return (
    <section className="card narrow">
      <h1>修改密码</h1>
      {forced ? <p className="warn">这是管理员为你设置的临时密码，请先改成只有你自己知道的新密码。</p> : null}
      <Form method="post" noValidate>
        <FormError message={errors._form} />
        <Field label="原密码" name="current" type="password" autoComplete="current-password" error={errors.current} />
        <Field label="新密码" name="next" type="password" autoComplete="new-password" error={errors.next} hint="至少 8 位" />
        <Field label="再输入一次新密码" name="confirm" type="password" autoComplete="new-password" error={errors.confirm} />
        <button type="submit" className="primary block">保存新密码</button>
      </Form>
    </section>
  );
}
