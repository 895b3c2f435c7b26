// Setting the household's 6-digit counter PIN (head or admin). Plain form; works without JavaScript.
import { Form } from "@remix-run/react";
import { Field, FormError, FormOk } from "~/ui/field";
import { TEXT_LIMITS } from "./labels";

export function PinForm({ errors, ok, busy, isSet }: { errors: Record<string, string>; ok?: string | null; busy: boolean; isSet: boolean }) {
  return (
    <Form method="post" noValidate key={ok ?? "pin"}>
      <FormOk message={ok} />
      <FormError message={errors._form} />
      <Field label={isSet ? "新的 6 位兑换密码" : "6 位兑换密码"} name="pin" type="password" inputMode="numeric" maxLength={TEXT_LIMITS.pin} autoComplete="new-password" error={errors.pin} />
      <Field label="再输入一次" name="confirm" type="password" inputMode="numeric" maxLength={TEXT_LIMITS.pin} autoComplete="new-password" error={errors.confirm} />
      <button type="submit" className="primary block" disabled={busy}>{isSet ? "修改兑换密码" : "设置兑换密码"}</button>
    </Form>
  );
}
