// The clinic's details and policies as form fields, shared by first-run setup and the settings screen.
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type { ClinicSettings, DateFormat } from "../api";
import { Select } from "../components/Select";
import { TextField } from "../components/TextField";
import { errorFor, type FieldError } from "../errors";
import { locale } from "../format";

type Props = {
  settings: ClinicSettings;
  onChange: (s: ClinicSettings) => void;
  fieldError: FieldError;
  /** The clinic code is part of every record number, so it is set once at setup. */
  codeEditable: boolean;
};

function timeZones(current: string): string[] {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return all.includes(current) ? all : [current, ...all];
}

export function ClinicFields({ settings, onChange, fieldError, codeEditable }: Props) {
  const { t, i18n } = useTranslation();
  const set = <K extends keyof ClinicSettings>(key: K, value: ClinicSettings[K]) => onChange({ ...settings, [key]: value });
  const err = (f: string) => errorFor(fieldError, f);

  const zones = useMemo(() => timeZones(settings.time_zone).map((z) => ({ value: z, label: z.replace(/_/g, " ") })), [settings.time_zone]);
  const currencies = useMemo(() => {
    const codes = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("currency") : [settings.currency];
    const names = new Intl.DisplayNames([locale()], { type: "currency" });
    const list = codes.includes(settings.currency) ? codes : [settings.currency, ...codes];
    return list.map((c) => ({ value: c, label: `${c} — ${names.of(c) ?? c}` }));
    // i18n.language: names follow the chosen language
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settings.currency, i18n.language]);
  const dateFormats = (["DMY", "MDY", "YMD"] as DateFormat[]).map((f) => ({ value: f, label: t(`dateFormats.${f}`) }));

  return (
    <>
      <div className="grid-2">
        <TextField label={t("clinic.name")} field="name" value={settings.name} onChange={(v) => set("name", v)} error={err("name")} required />
        <TextField
          label={t("clinic.code")}
          field="code"
          value={settings.code}
          onChange={(v) => set("code", v.toUpperCase())}
          error={err("code")}
          hint={codeEditable ? t("clinic.codeHint") : t("clinic.codeFixed")}
          readOnly={!codeEditable}
          required
        />
      </div>
      <TextField label={t("clinic.address")} field="address" value={settings.address} onChange={(v) => set("address", v)} error={err("address")} multiline />
      <div className="grid-2">
        <Select label={t("clinic.timeZone")} field="time_zone" value={settings.time_zone} options={zones} onChange={(v) => set("time_zone", v)} error={err("time_zone")} required />
        <Select label={t("clinic.currency")} field="currency" value={settings.currency} options={currencies} onChange={(v) => set("currency", v)} error={err("currency")} required />
        <TextField
          label={t("clinic.invoicePrefix")}
          field="invoice_prefix"
          value={settings.invoice_prefix}
          onChange={(v) => set("invoice_prefix", v.toUpperCase())}
          error={err("invoice_prefix")}
          hint={t("clinic.invoicePrefixHint")}
          required
        />
        <Select
          label={t("clinic.dateFormat")}
          field="date_format"
          value={settings.date_format}
          options={dateFormats}
          onChange={(v) => set("date_format", v as DateFormat)}
          error={err("date_format")}
          hint={t("clinic.dateFormatHint")}
        />
        <TextField
          label={t("clinic.idleLockMinutes")}
          field="idle_lock_minutes"
          type="number"
          inputMode="numeric"
          min={1}
          max={480}
          value={String(settings.idle_lock_minutes)}
          onChange={(v) => set("idle_lock_minutes", Number.parseInt(v, 10) || 0)}
          error={err("idle_lock_minutes")}
          hint={t("clinic.idleLockHint")}
          required
        />
      </div>
    </>
  );
}
