// State shared by the registration and edit screens: the working copy, the current field error, and focusing it.
import { useCallback, useState } from "react";
import { fieldId } from "../../components/fieldId";
import { errorFor, type FieldError } from "../../errors";
import type { FormDraft } from "./draft";

export function usePatientFormState(initial: FormDraft) {
  const [form, setForm] = useState<FormDraft>(initial);
  const [fieldError, setFieldError] = useState<FieldError>(null);
  /** An error for a field this form does not show (shown in a banner instead). */
  const [orphanError, setOrphanError] = useState<string | null>(null);

  const update = useCallback((change: (f: FormDraft) => FormDraft) => setForm(change), []);
  const err = useCallback((path: string) => errorFor(fieldError, path), [fieldError]);

  const showFieldError = useCallback((error: NonNullable<FieldError>) => {
    setFieldError(error);
    setOrphanError(null);
    window.setTimeout(() => {
      const el = document.getElementById(fieldId(error.field));
      if (el) {
        el.focus();
        el.scrollIntoView({ block: "center" });
      } else {
        setOrphanError(error.message);
      }
    }, 0);
  }, []);

  const clearErrors = useCallback(() => {
    setFieldError(null);
    setOrphanError(null);
  }, []);

  return { form, setForm, update, err, fieldError, orphanError, showFieldError, clearErrors };
}
