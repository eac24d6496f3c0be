// The repeatable parts of the patient form: identifiers, insurance policies, emergency contact, allergies and alerts.
import { useTranslation } from "react-i18next";
import { Button } from "../../components/Button";
import { DateField } from "../../components/DateField";
import { fieldId } from "../../components/fieldId";
import { Select } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useDateFormat } from "../../session/SessionContext";
import type { FormProps } from "./PatientForm";
import { focusSoon, TextList } from "./TextList";

export const IDENTIFIER_KINDS = ["national_id", "insurance_member", "passport", "other"];

export function IdentifierList({ form, update, err }: FormProps) {
  const { t } = useTranslation();
  const items = form.identifiers;
  const setItems = (identifiers: typeof items) => update((f) => ({ ...f, identifiers }));
  const kinds = (current: string) => {
    const all = IDENTIFIER_KINDS.includes(current) || current === "" ? IDENTIFIER_KINDS : [...IDENTIFIER_KINDS, current];
    return all.map((k) => ({ value: k, label: t(`identifierKind.${k}`, { defaultValue: k }) }));
  };
  return (
    <fieldset className="repeatable" id={fieldId("identifiers")} tabIndex={-1}>
      <legend>{t("patient.sections.identifiers")}</legend>
      {err("identifiers") && <p className="field-error">{err("identifiers")}</p>}
      {items.length === 0 && <p className="muted">{t("patient.noIdentifiers")}</p>}
      {items.map((id, i) => (
        <div className="repeatable-row" key={i}>
          <Select
            label={t("patient.identifierKindN", { n: i + 1 })}
            field={`identifiers[${i}].kind`}
            value={id.kind}
            options={kinds(id.kind)}
            onChange={(v) => setItems(items.map((x, j) => (j === i ? { ...x, kind: v } : x)))}
            error={err(`identifiers[${i}].kind`)}
            className="field-short"
          />
          <TextField
            label={t("patient.identifierValueN", { n: i + 1 })}
            field={`identifiers[${i}].value`}
            value={id.value}
            onChange={(v) => setItems(items.map((x, j) => (j === i ? { ...x, value: v } : x)))}
            error={err(`identifiers[${i}].value`)}
            className="grow"
          />
          <Button
            variant="ghost"
            className="remove-button"
            aria-label={t("common.removeItem", { item: t("patient.identifierValueN", { n: i + 1 }) })}
            onClick={() => {
              setItems(items.filter((_, j) => j !== i));
              focusSoon("identifiers-add");
            }}
          >
            {t("common.remove")}
          </Button>
        </div>
      ))}
      <Button
        id={fieldId("identifiers-add")}
        onClick={() => {
          setItems([...items, { kind: "national_id", value: "" }]);
          focusSoon(`identifiers[${items.length}].value`);
        }}
      >
        {t("patient.addIdentifier")}
      </Button>
    </fieldset>
  );
}

export function InsuranceList({ form, update, err }: FormProps) {
  const { t } = useTranslation();
  const dateFormat = useDateFormat();
  const items = form.insurance;
  const setItems = (insurance: typeof items) => update((f) => ({ ...f, insurance }));
  const setOne = (i: number, key: keyof (typeof items)[number], value: string) =>
    setItems(items.map((x, j) => (j === i ? { ...x, [key]: value } : x)));
  return (
    <fieldset className="repeatable" id={fieldId("insurance")} tabIndex={-1}>
      <legend>{t("patient.sections.insurance")}</legend>
      {err("insurance") && <p className="field-error">{err("insurance")}</p>}
      {items.length === 0 && <p className="muted">{t("patient.noInsurance")}</p>}
      {items.map((p, i) => (
        <div className="repeatable-card" key={i}>
          <p className="repeatable-card-title">{t("patient.policyN", { n: i + 1 })}</p>
          <div className="grid-2">
            <TextField label={t("insurance.provider")} field={`insurance[${i}].provider`} value={p.provider} onChange={(v) => setOne(i, "provider", v)} error={err(`insurance[${i}].provider`)} />
            <TextField label={t("insurance.policyNumber")} field={`insurance[${i}].policy_number`} value={p.policy_number} onChange={(v) => setOne(i, "policy_number", v)} error={err(`insurance[${i}].policy_number`)} />
            <DateField label={t("insurance.coverageStart")} field={`insurance[${i}].coverage_start`} format={dateFormat} value={p.coverage_start} onChange={(v) => setOne(i, "coverage_start", v)} error={err(`insurance[${i}].coverage_start`)} />
            <DateField label={t("insurance.coverageEnd")} field={`insurance[${i}].coverage_end`} format={dateFormat} value={p.coverage_end} onChange={(v) => setOne(i, "coverage_end", v)} error={err(`insurance[${i}].coverage_end`)} />
          </div>
          <Button
            variant="ghost"
            aria-label={t("common.removeItem", { item: t("patient.policyN", { n: i + 1 }) })}
            onClick={() => {
              setItems(items.filter((_, j) => j !== i));
              focusSoon("insurance-add");
            }}
          >
            {t("common.remove")}
          </Button>
        </div>
      ))}
      <Button
        id={fieldId("insurance-add")}
        onClick={() => {
          setItems([...items, { provider: "", policy_number: "", coverage_start: "", coverage_end: "" }]);
          focusSoon(`insurance[${items.length}].provider`);
        }}
      >
        {t("patient.addInsurance")}
      </Button>
    </fieldset>
  );
}

export function EmergencyContactFields({ form, update, err }: FormProps) {
  const { t } = useTranslation();
  const c = form.emergency_contact;
  const set = (key: keyof typeof c, value: string) => update((f) => ({ ...f, emergency_contact: { ...f.emergency_contact, [key]: value } }));
  return (
    <fieldset>
      <legend>{t("patient.sections.emergencyContact")}</legend>
      <div className="grid-3">
        <TextField label={t("emergency.name")} field="emergency_contact.name" value={c.name} onChange={(v) => set("name", v)} error={err("emergency_contact.name")} />
        <TextField label={t("emergency.relationship")} field="emergency_contact.relationship" value={c.relationship} onChange={(v) => set("relationship", v)} error={err("emergency_contact.relationship")} />
        <TextField label={t("emergency.phone")} field="emergency_contact.phone" type="tel" value={c.phone} onChange={(v) => set("phone", v)} error={err("emergency_contact.phone")} />
      </div>
    </fieldset>
  );
}

export function ClinicalLists({ form, update, err }: FormProps) {
  const { t } = useTranslation();
  return (
    <fieldset>
      <legend>{t("patient.sections.clinical")}</legend>
      <div className="grid-2">
        <TextList
          field="allergies"
          legend={t("patient.allergies")}
          itemLabel={(n) => t("patient.allergyN", { n })}
          addLabel={t("patient.addAllergy")}
          items={form.allergies}
          onChange={(allergies) => update((f) => ({ ...f, allergies }))}
          err={err}
        />
        <TextList
          field="alerts"
          legend={t("patient.alerts")}
          itemLabel={(n) => t("patient.alertN", { n })}
          addLabel={t("patient.addAlert")}
          items={form.alerts}
          onChange={(alerts) => update((f) => ({ ...f, alerts }))}
          err={err}
        />
      </div>
    </fieldset>
  );
}
