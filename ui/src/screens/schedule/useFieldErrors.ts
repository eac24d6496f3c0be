// A form's current core error: the named field shows it (and gets the focus); one the form has no field for is a banner.
import { useCallback, useState } from "react";
import type { IpcError } from "../../api";
import { fieldId } from "../../components/fieldId";

/** `aliases` renames core's field to the id this form uses (when two forms on a page share a core name). */
export function useFieldErrors(aliases: Record<string, string> = {}) {
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);

  const aliasKey = JSON.stringify(aliases);
  const show = useCallback(
    (e: IpcError) => {
    const names: Record<string, string> = JSON.parse(aliasKey);
    const field = e.field ? (names[e.field] ?? e.field) : null;
    setError({ field, message: e.message });
    if (!field) return;
    window.setTimeout(() => {
      const el = document.getElementById(fieldId(field));
      if (el) el.focus();
      else setError({ field: null, message: e.message });
    }, 0);
    },
    [aliasKey],
  );
  const clear = useCallback(() => setError(null), []);
  const err = useCallback((field: string) => (error && error.field === field ? error.message : null), [error]);
  /** The message no field shows. */
  const general = error && !error.field ? error.message : null;
  return { show, clear, err, general };
}
