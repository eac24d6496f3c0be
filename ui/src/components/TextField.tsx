// TextField: a labelled input (or textarea) with an optional hint and an inline error tied to it by ARIA.
import type { InputHTMLAttributes, Ref } from "react";
import { fieldId } from "./fieldId";

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "value"> & {
  label: string;
  /** The core field path this input edits, e.g. `phones[0].number`; gives the input its id. */
  field: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | null | undefined;
  hint?: string;
  multiline?: boolean;
  ref?: Ref<HTMLInputElement>;
  textareaRef?: Ref<HTMLTextAreaElement>;
  className?: string;
};

export function TextField({ label, field, value, onChange, error, hint, multiline, className, required, ref, textareaRef, ...rest }: Props) {
  const id = fieldId(field);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " field-invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required-mark" aria-hidden="true"> *</span>}
      </label>
      {multiline ? (
        <textarea
          id={id}
          ref={textareaRef}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          aria-required={required || undefined}
          rows={4}
        />
      ) : (
        <input
          {...rest}
          ref={ref}
          id={id}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          aria-required={required || undefined}
        />
      )}
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
