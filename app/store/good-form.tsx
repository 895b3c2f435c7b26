// The good's fields (new and edit). A plain multipart form: works without JavaScript.
import { Form } from "@remix-run/react";
import { Check, SelectField } from "~/ui/form-parts";
import { Field, FormError } from "~/ui/field";
import { FilePicker } from "~/ui/pickers";
import { CATEGORIES, COST_MAX_CHARS, digitsOf, NUMBER_LIMITS, TEXT_LIMITS, UNITS } from "./labels";

export interface GoodValues {
  name?: string;
  category?: string;
  unit?: string;
  price?: string;
  cost?: string;
  monthlyLimit?: string;
  lowStock?: string;
  active?: boolean;
  storeId?: string;
}

export function GoodForm({ values, errors, stores, busy, submit }: { values: GoodValues; errors: Record<string, string>; stores?: { id: number; name: string }[]; busy: boolean; submit: string }) {
  return (
    <Form method="post" encType="multipart/form-data" noValidate className="card">
      <input type="hidden" name="intent" value="good.save" />
      <FormError message={errors._form} />
      {stores ? <SelectField label="超市" name="storeId" options={stores.map((s) => ({ value: String(s.id), label: s.name }))} defaultValue={values.storeId} error={errors.storeId} /> : null}
      <Field label="商品名称" name="name" maxLength={TEXT_LIMITS.goodName} defaultValue={values.name} error={errors.name} autoComplete="off" />
      <SelectField label="分类" name="category" options={CATEGORIES.map((c) => ({ value: c, label: c }))} defaultValue={values.category} error={errors.category} />
      <SelectField label="单位" name="unit" options={UNITS.map((c) => ({ value: c, label: c }))} defaultValue={values.unit} error={errors.unit} />
      <Field label="兑换积分（每单位）" name="price" inputMode="numeric" maxLength={digitsOf(NUMBER_LIMITS.price[1])} defaultValue={values.price} error={errors.price} autoComplete="off" hint="改价只影响以后的兑换，已生成的兑换码按原价" />
      <Field label="进价（元，结算用）" name="cost" inputMode="decimal" maxLength={COST_MAX_CHARS} defaultValue={values.cost} error={errors.cost} autoComplete="off" />
      <Field label="每户每月限兑（不限就空着）" name="monthlyLimit" inputMode="numeric" maxLength={digitsOf(NUMBER_LIMITS.monthlyLimit[1])} defaultValue={values.monthlyLimit} error={errors.monthlyLimit} autoComplete="off" />
      <Field label="库存预警数（低于等于它显示“库存不足”）" name="lowStock" inputMode="numeric" maxLength={digitsOf(NUMBER_LIMITS.lowStock[1])} defaultValue={values.lowStock ?? "5"} error={errors.lowStock} autoComplete="off" />
      <FilePicker label="照片（JPG/PNG/WebP，最大 300 KB，可不传）" name="photo" accept="image/jpeg,image/png,image/webp" error={errors.photo} />
      <Check name="active" label="上架（村民能看到并兑换）" defaultChecked={values.active ?? true} />
      <button type="submit" className="primary block" disabled={busy}>{submit}</button>
    </Form>
  );
}
