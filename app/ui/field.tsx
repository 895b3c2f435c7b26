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
 * fieldset) names a `.field-error` in aria-describedby. What was hidden before a submission is put
 * back once that submission's answer has come, so an answer with the same message shows it again.
 * What the villager hides after the answer came (while the page re-reads its data) stays hidden:
 * put back then, the old message jumped in above the button they were about to tap. Without
 * JavaScript the next answer redraws the page anyway.
 */
export function StaleFieldErrors() {
  // Hidden since the last answer; and hidden before the submission now under way, to put back.
  const hidden = useRef(new Set<HTMLElement>());
  const cleared = useRef(new Set<HTMLElement>());
  const asked = useRef({ hidden: new Set<HTMLElement>(), cleared: new Set<HTMLElement>() });
  const state = useNavigation().state;
  const current = useRef(state);
  current.current = state;
  useEffect(() => {
    // Changed while a submission is on its way: that answer speaks for it too.
    const into = () => (current.current === "submitting" ? asked.current : { hidden: hidden.current, cleared: cleared.current });
    const hide = (field: HTMLElement) => {
      const owner = field.closest<HTMLElement>("[aria-describedby]");
      if (!owner || (owner !== field && owner.tagName !== "FIELDSET")) return;
      for (const id of owner.getAttribute("aria-describedby")!.split(/\s+/)) {
        const message = id ? document.getElementById(id) : null;
        if (!message?.classList.contains("field-error") || message.style.display === "none") continue;
        message.style.display = "none";
        into().hidden.add(message);
      }
      if (owner.getAttribute("aria-invalid") === "true") {
        owner.setAttribute("aria-invalid", "false");
        into().cleared.add(owner);
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
  useEffect(() => {
    if (state === "submitting") {
      // This answer will speak for what was hidden so far.
      for (const el of hidden.current) asked.current.hidden.add(el);
      for (const el of cleared.current) asked.current.cleared.add(el);
      hidden.current.clear();
      cleared.current.clear();
    } else if (state === "idle") {
      for (const el of asked.current.hidden) el.style.display = "";
      // Still "false" only where the answer kept the field invalid (React leaves an unchanged prop alone).
      for (const el of asked.current.cleared) if (el.getAttribute("aria-invalid") === "false") el.setAttribute("aria-invalid", "true");
      asked.current.hidden.clear();
      asked.current.cleared.clear();
    }
  }, [state]);
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
