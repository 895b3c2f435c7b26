// A quantity box between large − and + buttons. Without JavaScript the buttons are hidden (see
// STEPPER_NOSCRIPT) and the number box alone still works as a plain form field.
import { readQty } from "./cart";

/** Put once on a page that has steppers: without scripts the − / + buttons could do nothing. */
export const STEPPER_NOSCRIPT = "<style>.stepper .step{display:none}</style>";

export function QtyStepper({
  id, name, goodName, value, onChange, canAdd, error, errorId,
}: {
  id: string;
  name: string;
  goodName: string;
  value: string;
  onChange: (value: string) => void;
  canAdd: boolean;
  error?: string;
  errorId: string;
}) {
  const n = readQty(value);
  return (
    <div className="stepper">
      <button type="button" className="step" aria-label={`${goodName}少一个`} disabled={!n} onClick={() => onChange(String(Math.max(0, (n ?? 0) - 1)))}>−</button>
      <input
        id={id} name={name} type="number" inputMode="numeric" min={0} max={99} placeholder="0" value={value}
        onChange={(e) => onChange(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined}
      />
      <button type="button" className="step" aria-label={`${goodName}多一个`} disabled={!canAdd || n === null} onClick={() => onChange(String((n ?? 0) + 1))}>+</button>
    </div>
  );
}
