// File and date inputs labelled by the page itself, in Chinese. A browser fills these controls with
// words of its own language ("Choose Files", "No file chosen", "mm/dd/yyyy" on a phone set to
// English): the page says what to tap, what was chosen and which format a date takes. Without
// JavaScript the browser's own control shows (still named by the Chinese label above it); the
// Chinese button and the chosen count need a script to know what was picked.
import { forwardRef, useEffect, useState, type ChangeEvent, type InputHTMLAttributes, type ReactNode } from "react";

interface PickerProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "type"> {
  label: string;
  name: string;
  error?: string;
  hint?: string;
}

/** True once React runs in the browser: what needs a script is drawn only then. */
function useScripted(): boolean {
  const [on, setOn] = useState(false);
  useEffect(() => setOn(true), []);
  return on;
}

function describedBy(fieldId: string, error?: string, hint?: string): string | undefined {
  return error ? `${fieldId}-err` : hint ? `${fieldId}-hint` : undefined;
}

/**
 * A photo (or file) picker: a big Chinese button, 选择照片, over the real input, and what was chosen
 * beside it (已选 3 张; for one file, its name). `children` go between the label and the button
 * (the photos already taken, say).
 */
export const FilePicker = forwardRef<HTMLInputElement, PickerProps & { button?: string; kind?: "photo" | "file"; children?: ReactNode }>(function FilePicker(
  { label, name, error, hint, id, button, kind = "photo", onChange, children, ...input },
  ref,
) {
  const fieldId = id ?? `f-${name}`;
  const scripted = useScripted();
  const [chosen, setChosen] = useState<string[]>([]);
  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    setChosen(Array.from(e.currentTarget.files ?? [], (f) => f.name));
    onChange?.(e);
  };
  const status = chosen.length === 0 ? "还没有选" : kind === "photo" ? `已选 ${chosen.length} 张` : `已选：${chosen.join("、")}`;
  return (
    <div className={scripted ? "file-pick scripted" : "file-pick"}>
      <label htmlFor={fieldId}>{label}</label>
      {children}
      <div className="file-pick-row">
        <input
          ref={ref} id={fieldId} name={name} type="file" onChange={pick}
          aria-invalid={error ? true : undefined} aria-describedby={describedBy(fieldId, error, hint)} {...input}
        />
        {scripted ? (
          <>
            <span className="button secondary file-pick-button" aria-hidden="true">{button ?? (kind === "photo" ? "选择照片" : "选择文件")}</span>
            <span className={chosen.length ? "file-pick-status chosen" : "file-pick-status muted"} role="status" data-testid={`${fieldId}-chosen`}>{status}</span>
          </>
        ) : null}
      </div>
      {hint && !error ? <p className="muted small" id={`${fieldId}-hint`}>{hint}</p> : null}
      {error ? <p className="field-error" id={`${fieldId}-err`}>{error}</p> : null}
    </div>
  );
});

const WEEKDAYS = "日一二三四五六";

/** "2026-12-01" → "2026年12月1日 星期二"; with a time ("2026-12-01T09:30") the time after it. Null when not a date. */
export function chineseDate(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCMonth() !== mo - 1) return null;
  return `${y}年${mo}月${d}日 星期${WEEKDAYS[day.getUTCDay()]}${m[4] ? ` ${m[4]}` : ""}`;
}

/** "2026-03" → "2026年3月". Null when not a month. */
export function chineseMonth(value: string): string | null {
  const m = /^(\d{4})-(\d{2})$/.exec(value);
  return m && Number(m[2]) >= 1 && Number(m[2]) <= 12 ? `${m[1]}年${Number(m[2])}月` : null;
}

/**
 * A date (or date and time, or a month) with, under it, the chosen date spelled out in Chinese (2026年12月1日
 * 星期二): the box itself shows the order of the phone's language (12/01/2026 on one set to
 * English), so the page says which day it is. Without a script: the format the page takes.
 */
export function DateField({ label, name, error, hint, id, withTime, month, onChange, ...input }: PickerProps & { withTime?: boolean; month?: boolean }) {
  const fieldId = id ?? `f-${name}`;
  const scripted = useScripted();
  const initial = typeof input.defaultValue === "string" ? input.defaultValue : typeof input.value === "string" ? input.value : "";
  const [value, setValue] = useState(initial);
  const format = month ? "格式：年-月，如 2026-03" : withTime ? "格式：年-月-日 时:分，如 2026-03-08 09:30" : "格式：年-月-日，如 2026-03-08";
  const spelled = scripted ? (month ? chineseMonth(value) : chineseDate(value)) : null;
  return (
    <div className="date-field">
      <label htmlFor={fieldId}>{label}</label>
      <input
        id={fieldId} name={name} type={month ? "month" : withTime ? "datetime-local" : "date"} lang="zh-CN"
        onChange={(e) => (setValue(e.currentTarget.value), onChange?.(e))}
        aria-invalid={error ? true : undefined} aria-describedby={error ? `${fieldId}-err` : `${fieldId}-fmt`} {...input}
      />
      <p className="muted small date-format" id={`${fieldId}-fmt`} data-testid={`${fieldId}-spelled`}>
        {spelled ? <>已选：<strong>{spelled}</strong></> : scripted ? `还没有选，点上面的框选${month ? "月份" : withTime ? "日期和时间" : "日期"}` : format}
      </p>
      {hint ? <p className="muted small">{hint}</p> : null}
      {error ? <p className="field-error" id={`${fieldId}-err`}>{error}</p> : null}
    </div>
  );
}
