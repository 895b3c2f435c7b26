// The expiry part of the village settings form: the three ways, each with what it means for a
// villager, then the months (for the monthly way) and how many days ahead households are told.
import { Field } from "~/ui/field";
import { EXPIRY_LIMITS, EXPIRY_MODE_CHOICES } from "./labels";

interface Props {
  values: { expiryMode: string; expiryMonths: string; expiryNoticeDays: string };
  errors: Record<string, string>;
}

export function ExpirySettingsFields({ values, errors }: Props) {
  return (
    <>
      <h2>积分过期（清零）</h2>
      <fieldset
        className="expiry-modes"
        aria-invalid={errors.expiryMode ? true : undefined}
        aria-describedby={errors.expiryMode ? "f-expiryMode-err" : undefined}
      >
        <legend>村民的可用积分会不会过期</legend>
        {EXPIRY_MODE_CHOICES.map((c) => (
          <label key={c.value} className="expiry-mode">
            <input type="radio" name="expiryMode" value={c.value} defaultChecked={values.expiryMode === c.value} id={`f-expiryMode-${c.value}`} />
            <span>
              <strong>{c.label}</strong>
              <span className="muted small expiry-mode-hint">{c.hint}</span>
            </span>
          </label>
        ))}
        {errors.expiryMode ? <p className="field-error" id="f-expiryMode-err">{errors.expiryMode}</p> : null}
      </fieldset>
      <Field
        label="过期月数（选“得到满几个月后过期”时用）"
        name="expiryMonths"
        inputMode="numeric"
        maxLength={2}
        defaultValue={values.expiryMonths}
        error={errors.expiryMonths}
        hint={`${EXPIRY_LIMITS.monthsMin} 到 ${EXPIRY_LIMITS.monthsMax}。填 12 就是积分得到后大约一年内有效。`}
      />
      <Field
        label="提前几天提醒村民"
        name="expiryNoticeDays"
        inputMode="numeric"
        maxLength={2}
        defaultValue={values.expiryNoticeDays}
        error={errors.expiryNoticeDays}
        hint={`0 到 ${EXPIRY_LIMITS.noticeDaysMax}。清零前这么多天起，村民首页上会写明有多少分、哪天过期，提醒尽早兑换。填 0 不提醒。`}
      />
    </>
  );
}
