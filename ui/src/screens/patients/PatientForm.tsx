// The patient registration/edit form body: identity, contact, address, preferences (lists are in PatientFormLists).
import { useTranslation } from "react-i18next";
import type { PhoneKind, Sex } from "../../api";
import { Button } from "../../components/Button";
import { Checkbox } from "../../components/Checkbox";
import { DateField } from "../../components/DateField";
import { fieldId } from "../../components/fieldId";
import { Select } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useDateFormat } from "../../session/SessionContext";
import type { FormDraft } from "./draft";
import { ClinicalLists, EmergencyContactFields, IdentifierList, InsuranceList } from "./PatientFormLists";
import { focusSoon, TextList } from "./TextList";

export type FormProps = {
  form: FormDraft;
  update: (change: (f: FormDraft) => FormDraft) => void;
  err: (path: string) => string | null;
};

export const SEXES: Sex[] = ["female", "male", "other", "unknown"];
export const PHONE_KINDS: PhoneKind[] = ["mobile", "home", "work", "other"];

export function PatientForm(props: FormProps) {
  const { t } = useTranslation();
  const { form, update, err } = props;
  const dateFormat = useDateFormat();
  const set = <K extends keyof FormDraft>(key: K, value: FormDraft[K]) => update((f) => ({ ...f, [key]: value }));
  const setAddress = (key: keyof FormDraft["address"], value: string) => update((f) => ({ ...f, address: { ...f.address, [key]: value } }));

  return (
    <>
      <fieldset>
        <legend>{t("patient.sections.identity")}</legend>
        <div className="grid-2">
          <TextField label={t("patient.givenName")} field="given_name" value={form.given_name} onChange={(v) => set("given_name", v)} error={err("given_name")} autoComplete="off" required />
          <TextField label={t("patient.familyName")} field="family_name" value={form.family_name} onChange={(v) => set("family_name", v)} error={err("family_name")} autoComplete="off" required />
          <DateField label={t("patient.dateOfBirth")} field="date_of_birth" format={dateFormat} value={form.date_of_birth} onChange={(v) => set("date_of_birth", v)} error={err("date_of_birth")} />
          <Select label={t("patient.sex")} field="sex" value={form.sex} options={SEXES.map((s) => ({ value: s, label: t(`sex.${s}`) }))} onChange={(v) => set("sex", v as Sex)} error={err("sex")} />
        </div>
        <TextList
          field="other_names"
          legend={t("patient.otherNames")}
          itemLabel={(n) => t("patient.otherNameN", { n })}
          addLabel={t("patient.addOtherName")}
          items={form.other_names}
          onChange={(v) => set("other_names", v)}
          err={err}
        />
      </fieldset>

      <fieldset>
        <legend>{t("patient.sections.contact")}</legend>
        <div className="repeatable" id={fieldId("phones")} tabIndex={-1}>
          {err("phones") && <p className="field-error">{err("phones")}</p>}
          {form.phones.map((p, i) => (
            <div className="repeatable-row" key={i}>
              <Select
                label={t("patient.phoneKindN", { n: i + 1 })}
                field={`phones[${i}].kind`}
                value={p.kind}
                options={PHONE_KINDS.map((k) => ({ value: k, label: t(`phoneKind.${k}`) }))}
                onChange={(v) => set("phones", form.phones.map((x, j) => (j === i ? { ...x, kind: v as PhoneKind } : x)))}
                className="field-short"
              />
              <TextField
                label={t("patient.phoneN", { n: i + 1 })}
                field={`phones[${i}].number`}
                type="tel"
                value={p.number}
                onChange={(v) => set("phones", form.phones.map((x, j) => (j === i ? { ...x, number: v } : x)))}
                error={err(`phones[${i}].number`)}
                className="grow"
              />
              <Button
                variant="ghost"
                className="remove-button"
                aria-label={t("common.removeItem", { item: t("patient.phoneN", { n: i + 1 }) })}
                onClick={() => {
                  set("phones", form.phones.filter((_, j) => j !== i));
                  focusSoon("phones-add");
                }}
              >
                {t("common.remove")}
              </Button>
            </div>
          ))}
          <Button
            id={fieldId("phones-add")}
            onClick={() => {
              set("phones", [...form.phones, { kind: "mobile", number: "" }]);
              focusSoon(`phones[${form.phones.length}].number`);
            }}
          >
            {t("patient.addPhone")}
          </Button>
        </div>
        <div className="grid-2">
          <TextField label={t("patient.email")} field="email" type="email" value={form.email} onChange={(v) => set("email", v)} error={err("email")} autoComplete="off" />
          <TextField label={t("patient.preferredLanguage")} field="preferred_language" value={form.preferred_language} onChange={(v) => set("preferred_language", v)} error={err("preferred_language")} />
        </div>
        <fieldset className="checkbox-row">
          <legend className="group-label">{t("patient.communication")}</legend>
          <Checkbox label={t("patient.commEmail")} field="communication.email" checked={form.communication.email} onChange={(v) => set("communication", { ...form.communication, email: v })} />
          <Checkbox label={t("patient.commSms")} field="communication.sms" checked={form.communication.sms} onChange={(v) => set("communication", { ...form.communication, sms: v })} />
          <Checkbox label={t("patient.commReminders")} field="communication.reminders" checked={form.communication.reminders} onChange={(v) => set("communication", { ...form.communication, reminders: v })} />
        </fieldset>
      </fieldset>

      <fieldset>
        <legend>{t("patient.sections.address")}</legend>
        <div className="grid-2">
          <TextField label={t("address.line1")} field="address.line1" value={form.address.line1} onChange={(v) => setAddress("line1", v)} error={err("address.line1")} />
          <TextField label={t("address.line2")} field="address.line2" value={form.address.line2} onChange={(v) => setAddress("line2", v)} error={err("address.line2")} />
          <TextField label={t("address.city")} field="address.city" value={form.address.city} onChange={(v) => setAddress("city", v)} error={err("address.city")} />
          <TextField label={t("address.region")} field="address.region" value={form.address.region} onChange={(v) => setAddress("region", v)} error={err("address.region")} />
          <TextField label={t("address.postalCode")} field="address.postal_code" value={form.address.postal_code} onChange={(v) => setAddress("postal_code", v)} error={err("address.postal_code")} />
          <TextField label={t("address.country")} field="address.country" value={form.address.country} onChange={(v) => setAddress("country", v)} error={err("address.country")} />
        </div>
      </fieldset>

      <IdentifierList {...props} />
      <InsuranceList {...props} />
      <EmergencyContactFields {...props} />
      <ClinicalLists {...props} />

      <fieldset>
        <legend>{t("patient.sections.notes")}</legend>
        <TextField label={t("patient.notes")} field="notes" value={form.notes} onChange={(v) => set("notes", v)} error={err("notes")} multiline />
      </fieldset>
    </>
  );
}
