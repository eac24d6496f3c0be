// DateField: a calendar date typed the clinic's way (DD/MM/YYYY, MM/DD/YYYY or YYYY-MM-DD), handed on as ISO.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { DateFormat } from "../api";
import { isoToTyped, typedToIso } from "../dates";
import { TextField } from "./TextField";

type Props = {
  label: string;
  field: string;
  /** ISO `YYYY-MM-DD`, "" for none, or the text as typed while it is not a date yet. */
  value: string;
  /** Called with the ISO date, "", or the typed text when it is not a date (the form reports that on save). */
  onChange: (value: string) => void;
  format: DateFormat;
  error?: string | null | undefined;
  required?: boolean;
};

export function DateField({ label, field, value, onChange, format, error, required }: Props) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => isoToTyped(value, format));

  // Follow changes made outside (a reset, a reloaded record) without rewriting what is being typed.
  useEffect(() => {
    setText((current) => (typedToIso(current, format) === value || current === value ? current : isoToTyped(value, format)));
  }, [value, format]);

  const pattern = t(`dates.pattern.${format}`);
  return (
    <TextField
      label={label}
      field={field}
      value={text}
      inputMode="numeric"
      autoComplete="off"
      placeholder={pattern}
      hint={t("dates.hint", { pattern })}
      required={required}
      error={error}
      onChange={(typed) => {
        setText(typed);
        const iso = typedToIso(typed, format);
        onChange(iso === null ? typed : iso);
      }}
    />
  );
}
