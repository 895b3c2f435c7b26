// A field's error disappears once the villager changes that field: the message was about the old
// value. Without JavaScript nothing changes here; the server's next answer replaces every message.
import { useState, type FormEvent } from "react";

type Errors = Record<string, string> | undefined;

/**
 * The errors still worth showing, and the form's onChange that hides a field's error when the field
 * is edited. A new answer from the server (a new errors object) shows all its errors again.
 */
export function useLiveErrors(given: Errors): { errors: Errors; onChange: (e: FormEvent<HTMLFormElement>) => void } {
  // Remembered with the errors object they belong to, so a fresh answer starts with none hidden.
  const [edited, setEdited] = useState<{ of: Errors; names: ReadonlySet<string> }>({ of: given, names: new Set() });
  const names = edited.of === given ? edited.names : new Set<string>();
  const errors = given && names.size ? Object.fromEntries(Object.entries(given).filter(([k]) => !names.has(k))) : given;
  const onChange = (e: FormEvent<HTMLFormElement>) => {
    const name = (e.target as HTMLInputElement).name;
    if (!name || !given?.[name] || names.has(name)) return;
    setEdited({ of: given, names: new Set([...names, name]) });
  };
  return { errors, onChange };
}
