// The red-flag part of the village settings form: how many flags a round hands out, and whether
// they are counted across the village or within each grid.
import { Field } from "~/ui/field";
import { FLAG_LIMITS, FLAG_SCOPE_CHOICES } from "./labels";

interface Props {
  values: { redFlags: string; redFlagScope: string };
  errors: Record<string, string>;
}

export function FlagSettingsFields({ values, errors }: Props) {
  return (
    <>
      <h2 data-testid="flag-settings">流动红旗</h2>
      <Field
        label="每轮卫生评比发几面流动红旗"
        name="redFlags"
        inputMode="numeric"
        maxLength={2}
        defaultValue={values.redFlags}
        error={errors.redFlags}
        hint={`0 到 ${FLAG_LIMITS.countMax}。公布评比时交给得分最高的农户，上一轮的红旗同时收回；得分并列时由村委决定。填 0 不发红旗。`}
      />
      <fieldset
        className="flag-scopes"
        aria-invalid={errors.redFlagScope ? true : undefined}
        aria-describedby={errors.redFlagScope ? "f-redFlagScope-err" : undefined}
      >
        <legend>红旗怎样评</legend>
        {FLAG_SCOPE_CHOICES.map((c) => (
          <label key={c.value} className="flag-scope">
            <input type="radio" name="redFlagScope" value={c.value} defaultChecked={values.redFlagScope === c.value} id={`f-redFlagScope-${c.value}`} />
            <span>
              <strong>{c.label}</strong>
              <span className="muted small flag-scope-hint">{c.hint}</span>
            </span>
          </label>
        ))}
        {errors.redFlagScope ? <p className="field-error" id="f-redFlagScope-err">{errors.redFlagScope}</p> : null}
      </fieldset>
    </>
  );
}
