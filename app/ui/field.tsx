// A labelled input with its error shown right under it.
import type { InputHTMLAttributes } from "react";

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  label: string;
  name: string;
  error?: string;
  hint?: string;
}

export function Field({ label, name, error, hint, id, ...input }: FieldProps) {
  const fieldId = id ?? `f-${name}`;
  return (
    <div>
      <label htmlFor={fieldId}>{label}</label>
      <input id={fieldId} name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? `${fieldId}-err` : undefined} {...input} />
      {hint && !error ? <p className="muted small">{hint}</p> : null}
      {error ? <p className="field-error" id={`${fieldId}-err`}>{error}</p> : null}
    </div>
  );
}

export function FormError({ message }: { message?: string | null }) {
  return message ? <p className="form-error" role="alert">{message}</p> : null;
}

export function FormOk({ message }: { message?: string | null }) {
  return message ? <p className="form-ok" role="status">{message}</p> : null;
}
