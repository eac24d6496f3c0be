// Select: a labelled native <select> with an inline error, for short closed lists.
import { fieldId } from "./fieldId";

export type Option = { value: string; label: string };

type Props = {
  label: string;
  field: string;
  value: string;
  options: Option[];
  onChange: (value: string) => void;
  error?: string | null | undefined;
  hint?: string;
  required?: boolean;
  className?: string;
  disabled?: boolean;
};

export function Select({ label, field, value, options, onChange, error, hint, required, className, disabled }: Props) {
  const id = fieldId(field);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${error ? " field-invalid" : ""}${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>
        {label}
        {required && <span className="required-mark" aria-hidden="true"> *</span>}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        disabled={disabled}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
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
