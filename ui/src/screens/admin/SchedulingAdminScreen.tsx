// Scheduling administration: appointment types, clinicians' hours, closures and leave, the policy, calendar export
// and calendar subscription links.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppointmentType, type SchedulingPolicy } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Checkbox } from "../../components/Checkbox";
import { Select } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useSession } from "../../session/SessionContext";
import { CalendarFeedCard } from "../schedule/CalendarFeedCard";
import { addDays, clinicNow, formatMoney } from "../schedule/civil";
import { useFieldErrors } from "../schedule/useFieldErrors";
import { useScheduleRefs } from "../schedule/useScheduleRefs";
import { clock } from "../../clock";
import { ClinicianHoursAdmin } from "./ClinicianHoursAdmin";
import { ClosuresLeaveAdmin } from "./ClosuresLeaveAdmin";

export function SchedulingAdminScreen() {
  const { t } = useTranslation();
  const refs = useScheduleRefs();
  const { settings } = useSession();
  const today = clinicNow(settings?.time_zone ?? "UTC", clock.now()).date;
  const clinicianOptions = refs.clinicians.map((c) => ({ value: c.staff_id, label: c.display_name }));
  return (
    <section className="page">
      <header className="page-header">
        <h1 tabIndex={-1}>{t("schedule.admin.title")}</h1>
        <p className="lead">{t("schedule.admin.lead")}</p>
      </header>
      <TypesAdmin />
      <PolicyAdmin />
      {refs.loaded && <ClinicianHoursAdmin clinicians={refs.clinicians} today={today} />}
      {refs.loaded && <ClosuresLeaveAdmin clinicians={refs.clinicians} today={today} />}
      {refs.loaded && <ExportCalendar clinicians={clinicianOptions} today={today} />}
      {refs.loaded && <CalendarFeedCard clinicians={clinicianOptions} />}
    </section>
  );
}

type TypeForm = { id: string | null; version: number; name: string; duration: string; colour: string; price: string; telemedicine: boolean };
const EMPTY: TypeForm = { id: null, version: 0, name: "", duration: "15", colour: "#2f80ed", price: "0", telemedicine: false };

function TypesAdmin() {
  const { t } = useTranslation();
  const { run, settings } = useSession();
  const toast = useToast();
  const fe = useFieldErrors();
  const [types, setTypes] = useState<AppointmentType[]>([]);
  const [form, setForm] = useState<TypeForm>(EMPTY);
  const currency = settings?.currency ?? "EUR";
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;

  const load = useCallback(() => void run((s) => api.listAppointmentTypes(s, true)).then((r) => r.status === "ok" && setTypes(r.data)), [run]);
  useEffect(load, [load]);

  const save = async () => {
    fe.clear();
    const price = Math.round(Number(form.price.replace(",", ".")) * 10 ** digits);
    const draft = { name: form.name, duration_minutes: Number(form.duration) || 0, colour: form.colour, price_minor: Number.isFinite(price) ? price : -1, telemedicine: form.telemedicine };
    const r = await run((s) => (form.id ? api.updateAppointmentType(s, form.id, form.version, draft) : api.createAppointmentType(s, draft)), { quiet: true });
    if (r.status === "error") return fe.show(r.error);
    toast.show("success", t("schedule.admin.typeSaved", { name: r.data.name }));
    setForm(EMPTY);
    load();
  };

  return (
    <section className="card admin-section" aria-labelledby="types-title">
      <h2 className="card-title" id="types-title">
        {t("schedule.admin.types")}
      </h2>
      {types.length === 0 && (
        <Banner kind="info" title={t("schedule.admin.noTypes")}>
          <Button onClick={() => void run((s) => api.createStarterAppointmentTypes(s)).then(load)}>{t("schedule.admin.addStarters")}</Button>
        </Banner>
      )}
      {types.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t("schedule.admin.typeName")}</th>
              <th scope="col">{t("schedule.admin.duration")}</th>
              <th scope="col">{t("schedule.admin.price")}</th>
              <th scope="col">{t("schedule.admin.state")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("schedule.admin.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {types.map((x) => (
              <tr key={x.id}>
                <th scope="row">
                  <span className="type-swatch" style={{ backgroundColor: x.colour }} aria-hidden="true" /> {x.name}
                  {x.telemedicine && <span className="muted"> · {t("schedule.admin.telemedicine")}</span>}
                </th>
                <td>{t("schedule.admin.minutes", { count: x.duration_minutes })}</td>
                <td>{formatMoney(x.price_minor, x.currency)}</td>
                <td>{x.active ? t("schedule.admin.active") : t("schedule.admin.inactive")}</td>
                <td className="row-actions">
                  <Button onClick={() => setForm({ id: x.id, version: x.row_version, name: x.name, duration: String(x.duration_minutes), colour: x.colour, price: String(x.price_minor / 10 ** digits), telemedicine: x.telemedicine })}>
                    {t("schedule.admin.edit", { name: x.name })}
                  </Button>
                  <Button onClick={() => void run((s) => api.setAppointmentTypeActive(s, x.id, !x.active)).then(load)}>{x.active ? t("schedule.admin.deactivate") : t("schedule.admin.activate")}</Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="inline-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h3 className="card-subtitle">{form.id ? t("schedule.admin.editType") : t("schedule.admin.newType")}</h3>
        {fe.general && <Banner kind="danger" title={fe.general} />}
        <div className="form-row">
          <TextField label={t("schedule.admin.typeName")} field="name" value={form.name} onChange={(v) => setForm({ ...form, name: v })} error={fe.err("name")} required />
          <TextField label={t("schedule.admin.durationMinutes")} field="duration_minutes" inputMode="numeric" value={form.duration} onChange={(v) => setForm({ ...form, duration: v })} error={fe.err("duration_minutes")} required />
          <TextField label={t("schedule.admin.colour")} field="colour" type="color" value={form.colour} onChange={(v) => setForm({ ...form, colour: v })} error={fe.err("colour")} />
          <TextField label={t("schedule.admin.priceIn", { currency })} field="price_minor" inputMode="decimal" value={form.price} onChange={(v) => setForm({ ...form, price: v })} error={fe.err("price_minor")} />
        </div>
        <Checkbox label={t("schedule.admin.telemedicine")} field="telemedicine" checked={form.telemedicine} onChange={(v) => setForm({ ...form, telemedicine: v })} />
        <div className="row-actions">
          {form.id && <Button onClick={() => setForm(EMPTY)}>{t("common.cancel")}</Button>}
          <Button type="submit" variant="primary">
            {form.id ? t("schedule.admin.saveType") : t("schedule.admin.addType")}
          </Button>
        </div>
      </form>
    </section>
  );
}

function PolicyAdmin() {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const fe = useFieldErrors();
  const [policy, setPolicy] = useState<SchedulingPolicy | null>(null);
  useEffect(() => void run((s) => api.schedulingPolicy(s)).then((r) => r.status === "ok" && setPolicy(r.data)), [run]);
  if (!policy) return null;
  const save = async () => {
    fe.clear();
    const r = await run((s) => api.updateSchedulingPolicy(s, policy), { quiet: true });
    if (r.status === "error") return fe.show(r.error);
    setPolicy(r.data);
    toast.show("success", t("schedule.admin.policySaved"));
  };
  return (
    <form
      className="card admin-section"
      aria-labelledby="policy-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2 className="card-title" id="policy-title">
        {t("schedule.admin.policy")}
      </h2>
      {fe.general && <Banner kind="danger" title={fe.general} />}
      <Checkbox label={t("schedule.admin.allowOverbooking")} field="allow_overbooking" checked={policy.allow_overbooking} onChange={(v) => setPolicy({ ...policy, allow_overbooking: v })} />
      <Checkbox label={t("schedule.admin.calendarNames")} field="calendar_patient_names" checked={policy.calendar_patient_names} onChange={(v) => setPolicy({ ...policy, calendar_patient_names: v })} />
      <TextField label={t("schedule.admin.telemedicineUrl")} field="telemedicine_base_url" value={policy.telemedicine_base_url} onChange={(v) => setPolicy({ ...policy, telemedicine_base_url: v })} error={fe.err("telemedicine_base_url")} hint={t("schedule.admin.telemedicineUrlHint")} />
      <Button type="submit" variant="primary">
        {t("schedule.admin.savePolicy")}
      </Button>
    </form>
  );
}

function ExportCalendar({ clinicians, today }: { clinicians: { value: string; label: string }[]; today: string }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const fe = useFieldErrors();
  const [clinician, setClinician] = useState("");
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(addDays(today, 30));
  const who = clinician || clinicians[0]?.value || "";
  const exportIt = async () => {
    fe.clear();
    const r = await run((s) => api.exportCalendar(s, who, from, to), { quiet: true });
    if (r.status === "error") return fe.show(r.error);
    if (r.data) toast.show("success", t("schedule.admin.exported", { path: r.data }));
  };
  return (
    <form
      className="card admin-section"
      aria-labelledby="export-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void exportIt();
      }}
    >
      <h2 className="card-title" id="export-title">
        {t("schedule.admin.export")}
      </h2>
      {fe.general && <Banner kind="danger" title={fe.general} />}
      <div className="form-row">
        <Select label={t("schedule.clinician")} field="export_clinician" value={who} onChange={setClinician} options={clinicians} />
        <TextField label={t("schedule.fromDate")} field="from" type="date" value={from} onChange={setFrom} error={fe.err("from")} />
        <TextField label={t("schedule.toDate")} field="to" type="date" value={to} onChange={setTo} error={fe.err("to")} />
      </div>
      <Button type="submit" disabled={!who}>
        {t("schedule.admin.exportButton")}
      </Button>
    </form>
  );
}
