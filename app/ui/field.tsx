// A labelled input with its error shown right under it.
import { useNavigation } from "@remix-run/react";
import { useEffect, useRef, type InputHTMLAttributes } from "react";

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

/**
 * Once a field with an error is changed, its error goes: a message about the old value, still in
 * red under a value that is now right, reads as if the new one were wrong too. Works on every form
 * of the page, ours or a capability's own, that ties its errors the usual way: the field (or its
 * fieldset) names a `.field-error` in aria-describedby. When the next answer has come, what was
 * hidden is put back, so an answer with the same message shows it again. Without JavaScript the
 * next answer redraws the page anyway.
 */
export function StaleFieldErrors() {
  const hidden = useRef(new Set<HTMLElement>());
  const cleared = useRef(new Set<HTMLElement>());
  const idle = useNavigation().state === "idle";
  useEffect(() => {
    const hide = (field: HTMLElement) => {
      const owner = field.closest<HTMLElement>("[aria-describedby]");
      if (!owner || (owner !== field && owner.tagName !== "FIELDSET")) return;
      for (const id of owner.getAttribute("aria-describedby")!.split(/\s+/)) {
        const message = id ? document.getElementById(id) : null;
        if (!message?.classList.contains("field-error") || message.style.display === "none") continue;
        message.style.display = "none";
        hidden.current.add(message);
      }
      if (owner.getAttribute("aria-invalid") === "true") {
        owner.setAttribute("aria-invalid", "false");
        cleared.current.add(owner);
      }
    };
    const edited = (e: Event) => {
      if (e.target instanceof HTMLElement) hide(e.target);
    };
    // On a slow phone the villager may have typed before the page's script ran: those fields too.
    for (const field of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("main input, main select, main textarea"))) {
      if (changed(field)) hide(field);
    }
    document.addEventListener("input", edited, true);
    document.addEventListener("change", edited, true);
    return () => {
      document.removeEventListener("input", edited, true);
      document.removeEventListener("change", edited, true);
    };
  }, []);
  // After a submission or a page change (not at the first drawing): the page now shows what the server answered.
  const wasIdle = useRef(idle);
  useEffect(() => {
    const settled = idle && !wasIdle.current;
    wasIdle.current = idle;
    if (!settled) return;
    for (const el of hidden.current) el.style.display = "";
    // Still "false" only where the answer kept the field invalid (React leaves an unchanged prop alone).
    for (const el of cleared.current) if (el.getAttribute("aria-invalid") === "false") el.setAttribute("aria-invalid", "true");
    hidden.current.clear();
    cleared.current.clear();
  }, [idle]);
  return null;
}

/** Whether the field's value is no longer the one the page came with. */
function changed(field: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): boolean {
  if (field instanceof HTMLSelectElement) {
    // A single choice with no option marked shows its first one.
    const marked = Array.from(field.options).findIndex((o) => o.defaultSelected);
    return field.multiple ? Array.from(field.options).some((o) => o.selected !== o.defaultSelected) : field.selectedIndex !== Math.max(marked, 0);
  }
  if (field instanceof HTMLInputElement && (field.type === "checkbox" || field.type === "radio")) return field.checked !== field.defaultChecked;
  if (field instanceof HTMLInputElement && field.type === "file") return (field.files?.length ?? 0) > 0;
  return field.value !== field.defaultValue;
}
