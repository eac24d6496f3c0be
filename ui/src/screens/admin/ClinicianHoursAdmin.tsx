// A clinician's profile (specialty, languages, slot grid), weekly template (work periods and breaks) and extra sessions.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Clinician, type ExtraSession, type PeriodKind, type WorkingPeriod } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Select } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useSession } from "../../session/SessionContext";
import { addDays, formatLocal, hm } from "../schedule/civil";
import { useFieldErrors } from "../schedule/useFieldErrors";

type Props = { clinicians: Clinician[]; today: string };

export function ClinicianHoursAdmin({ clinicians, today }: Props) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const [chosen, setChosen] = useState("");
  const clinician = clinicians.find((c) => c.staff_id === chosen) ?? clinicians[0];
  const id = clinician?.staff_id ?? "";
  const [periods, setPeriods] = useState<WorkingPeriod[]>([]);
  const [sessions, setSessions] = useState<ExtraSession[]>([]);
  const [specialty, setSpecialty] = useState("");
  const [languages, setLanguages] = useState("");
  const [slot, setSlot] = useState("15");
  const [extra, setExtra] = useState({ start: "", end: "", note: "" });
  const templateErrors = useFieldErrors();
  const profileErrors = useFieldErrors();
  const extraErrors = useFieldErrors({ start: "extra_start", end: "extra_end", note: "extra_note" });

  const load = useCallback(() => {
    if (!id) return;
    void run((s) => api.getWeeklyTemplate(s, id)).then((r) => r.status === "ok" && setPeriods(r.data.periods.map((p) => ({ ...p, start: hm(p.start), end: hm(p.end) }))));
    void run((s) => api.listExtraSessions(s, id, today, addDays(today, 90))).then((r) => r.status === "ok" && setSessions(r.data));
  }, [id, run, today]);
  useEffect(load, [load]);
  useEffect(() => {
    setSpecialty(clinician?.specialty ?? "");
    setLanguages(clinician?.languages.join(", ") ?? "");
    setSlot(String(clinician?.slot_minutes ?? 15));
  }, [clinician]);

  if (!clinician) return null;
  const weekdays = [1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: String(d), label: t(`schedule.admin.weekday.${d}`) }));
  const setPeriod = (i: number, change: Partial<WorkingPeriod>) => setPeriods((all) => all.map((p, n) => (n === i ? { ...p, ...change } : p)));

  const saveTemplate = async () => {
    templateErrors.clear();
    const r = await run((s) => api.setWeeklyTemplate(s, id, periods.map((p) => ({ ...p, start: `${p.start}:00`.slice(0, 8), end: `${p.end}:00`.slice(0, 8) }))), { quiet: true });
    if (r.status === "error") return templateErrors.show(r.error);
    toast.show("success", t("schedule.admin.templateSaved", { who: clinician.display_name }));
    load();
  };
  const saveProfile = async () => {
    profileErrors.clear();
    const profile = { specialty, languages: languages.split(",").map((l) => l.trim()).filter(Boolean), slot_minutes: Number(slot) || 0 };
    const r = await run((s) => api.setClinicianProfile(s, id, profile), { quiet: true });
    if (r.status === "error") return profileErrors.show(r.error);
    toast.show("success", t("schedule.admin.profileSaved", { who: clinician.display_name }));
  };
  const addExtra = async () => {
    extraErrors.clear();
    const r = await run((s) => api.addExtraSession(s, id, extra.start, extra.end, extra.note), { quiet: true });
    if (r.status === "error") return extraErrors.show(r.error);
    setExtra({ start: "", end: "", note: "" });
    load();
  };

  return (
    <section className="card admin-section" aria-labelledby="hours-title">
      <h2 className="card-title" id="hours-title">
        {t("schedule.admin.hours")}
      </h2>
      <Select label={t("schedule.clinician")} field="hours_clinician" value={id} onChange={setChosen} options={clinicians.map((c) => ({ value: c.staff_id, label: c.display_name }))} />

      <form className="inline-form" noValidate onSubmit={(e) => (e.preventDefault(), void saveProfile())}>
        <h3 className="card-subtitle">{t("schedule.admin.profile")}</h3>
        <div className="form-row">
          <TextField label={t("schedule.admin.specialty")} field="specialty" value={specialty} onChange={setSpecialty} error={profileErrors.err("specialty")} />
          <TextField label={t("schedule.admin.languages")} field="languages" value={languages} onChange={setLanguages} error={profileErrors.err("languages")} hint={t("schedule.admin.languagesHint")} />
          <TextField label={t("schedule.admin.slotMinutes")} field="slot_minutes" inputMode="numeric" value={slot} onChange={setSlot} error={profileErrors.err("slot_minutes")} />
        </div>
        {profileErrors.general && <Banner kind="danger" title={profileErrors.general} />}
        <Button type="submit">{t("schedule.admin.saveProfile")}</Button>
      </form>

      <form className="inline-form" noValidate onSubmit={(e) => (e.preventDefault(), void saveTemplate())}>
        <h3 className="card-subtitle">{t("schedule.admin.template")}</h3>
        {templateErrors.general && <Banner kind="danger" title={templateErrors.general} />}
        {periods.length === 0 && <p className="muted">{t("schedule.admin.noPeriods")}</p>}
        {periods.map((p, i) => (
          <div key={i} className="form-row period-row">
            <Select label={t("schedule.admin.day")} field={`periods[${i}].weekday`} value={String(p.weekday)} onChange={(v) => setPeriod(i, { weekday: Number(v) })} options={weekdays} />
            <TextField label={t("schedule.admin.from")} field={`periods[${i}]`} type="time" value={p.start} onChange={(v) => setPeriod(i, { start: v })} error={templateErrors.err(`periods[${i}]`)} />
            <TextField label={t("schedule.admin.to")} field={`periods[${i}].end`} type="time" value={p.end} onChange={(v) => setPeriod(i, { end: v })} />
            <Select label={t("schedule.admin.kind")} field={`periods[${i}].kind`} value={p.kind} onChange={(v) => setPeriod(i, { kind: v as PeriodKind })} options={[{ value: "work", label: t("schedule.admin.work") }, { value: "break", label: t("schedule.admin.break") }]} />
            <Button variant="ghost" onClick={() => setPeriods((all) => all.filter((_, n) => n !== i))} aria-label={t("schedule.admin.removePeriod", { n: i + 1 })}>
              {t("common.remove")}
            </Button>
          </div>
        ))}
        <div className="row-actions">
          <Button onClick={() => setPeriods((all) => [...all, { weekday: 1, start: "09:00", end: "17:00", kind: "work" }])}>{t("schedule.admin.addPeriod")}</Button>
          <Button type="submit" variant="primary">
            {t("schedule.admin.saveTemplate")}
          </Button>
        </div>
      </form>

      <form className="inline-form" noValidate onSubmit={(e) => (e.preventDefault(), void addExtra())}>
        <h3 className="card-subtitle">{t("schedule.admin.extraSessions")}</h3>
        <ul className="plain-list">
          {sessions.map((x) => (
            <li key={x.id}>
              {`${formatLocal(x.local_start)}–${hm(x.local_end)}`} {x.note}{" "}
              <Button variant="ghost" onClick={() => void run((s) => api.removeExtraSession(s, x.id)).then(load)}>
                {t("common.remove")}
              </Button>
            </li>
          ))}
        </ul>
        {extraErrors.general && <Banner kind="danger" title={extraErrors.general} />}
        <div className="form-row">
          <TextField label={t("schedule.admin.from")} field="extra_start" type="datetime-local" value={extra.start} onChange={(v) => setExtra({ ...extra, start: v })} error={extraErrors.err("extra_start")} />
          <TextField label={t("schedule.admin.to")} field="extra_end" type="datetime-local" value={extra.end} onChange={(v) => setExtra({ ...extra, end: v })} error={extraErrors.err("extra_end")} />
          <TextField label={t("schedule.notes")} field="extra_note" value={extra.note} onChange={(v) => setExtra({ ...extra, note: v })} error={extraErrors.err("extra_note")} />
        </div>
        <Button type="submit">{t("schedule.admin.addExtra")}</Button>
      </form>
    </section>
  );
}
