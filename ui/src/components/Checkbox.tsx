// Checkbox: a native checkbox with its label beside it.
import { fieldId } from "./fieldId";

type Props = { label: string; field: string; checked: boolean; onChange: (checked: boolean) => void; disabled?: boolean };

export function Checkbox({ label, field, checked, onChange, disabled }: Props) {
  const id = fieldId(field);
  return (
    <div className="checkbox">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}
