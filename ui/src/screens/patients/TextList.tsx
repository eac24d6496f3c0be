// A repeatable list of one-line texts (other names, allergies, alerts) with add and remove buttons.
import { useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { fieldId } from "../../components/fieldId";
import { TextField } from "../../components/TextField";

type Props = {
  /** Core field name of the list, e.g. `allergies`. */
  field: string;
  legend: string;
  /** Label of one item, given its 1-based number. */
  itemLabel: (n: number) => string;
  addLabel: string;
  items: string[];
  onChange: (items: string[]) => void;
  err: (path: string) => string | null;
};

export function focusSoon(path: string): void {
  window.setTimeout(() => document.getElementById(fieldId(path))?.focus(), 0);
}

export function TextList({ field, legend, itemLabel, addLabel, items, onChange, err }: Props) {
  const { t } = useTranslation();
  const listError = err(field);
  return (
    <fieldset className="repeatable" id={fieldId(field)} tabIndex={-1}>
      <legend>{legend}</legend>
      {listError && <p className="field-error">{listError}</p>}
      {items.map((value, i) => (
        <div className="repeatable-row" key={i}>
          <TextField
            label={itemLabel(i + 1)}
            field={`${field}[${i}]`}
            value={value}
            onChange={(v) => onChange(items.map((old, j) => (j === i ? v : old)))}
            error={err(`${field}[${i}]`)}
            className="grow"
          />
          <Button
            variant="ghost"
            className="remove-button"
            aria-label={t("common.removeItem", { item: itemLabel(i + 1) })}
            onClick={() => {
              onChange(items.filter((_, j) => j !== i));
              focusSoon(items.length > 1 ? `${field}[${Math.max(0, i - 1)}]` : `${field}-add`);
            }}
          >
            {t("common.remove")}
          </Button>
        </div>
      ))}
      <Button
        id={fieldId(`${field}-add`)}
        onClick={() => {
          onChange([...items, ""]);
          focusSoon(`${field}[${items.length}]`);
        }}
      >
        {addLabel}
      </Button>
    </fieldset>
  );
}
