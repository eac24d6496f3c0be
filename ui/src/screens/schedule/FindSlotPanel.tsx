// "Find a free slot": a clinician, a specialty or anyone, type, dates, part of the day and language; each slot found books in one click.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type FreeSlot, type TimeOfDay } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Select } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useSession } from "../../session/SessionContext";
import { addDays, formatLocal } from "./civil";
import { TimeOfDayField } from "./TimeOfDayField";
import type { ScheduleRefs } from "./useScheduleRefs";
import { useFieldErrors } from "./useFieldErrors";

type Props = { today: string; refs: ScheduleRefs; canBook: boolean; onPick: (slot: FreeSlot, typeId: string) => void };

export function FindSlotPanel({ today, refs, canBook, onPick }: Props) {
  const { t } = useTranslation();
  const { run } = useSession();
  const fe = useFieldErrors();
  const [clinicianId, setClinicianId] = useState("");
  const [specialty, setSpecialty] = useState("");
  const [typeId, setTypeId] = useState("");
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(addDays(today, 30));
  const [part, setPart] = useState<TimeOfDay>({ kind: "any" });
  const [language, setLanguage] = useState("");
  const [slots, setSlots] = useState<FreeSlot[] | null>(null);
  const type = typeId || refs.types[0]?.id || "";
  const specialties = [...new Set(refs.clinicians.map((c) => c.specialty.trim()).filter((x) => x !== ""))].sort((a, b) => a.localeCompare(b));

  const search = async () => {
    fe.clear();
    const r = await run(
      (s) => api.findFreeSlots(s, { type_id: type, duration_minutes: null, clinician_id: clinicianId || null, specialty: clinicianId ? null : specialty || null, language: language.trim() || null, from_date: from, to_date: to, time_of_day: part, limit: 10 }),
      { quiet: true },
    );
    if (r.status === "error") return fe.show(r.error);
    setSlots(r.data);
  };

  return (
    <form
      className="find-slot"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void search();
      }}
    >
      {fe.general && <Banner kind="danger" title={fe.general} />}
      <Select label={t("schedule.clinician")} field="slot_clinician_id" value={clinicianId} onChange={setClinicianId} options={[{ value: "", label: t("schedule.anyClinician") }, ...refs.clinicians.map((c) => ({ value: c.staff_id, label: c.display_name }))]} />
      {specialties.length > 0 && !clinicianId && (
        <Select label={t("schedule.specialty")} field="specialty" value={specialty} onChange={setSpecialty} error={fe.err("specialty")} options={[{ value: "", label: t("schedule.anySpecialty") }, ...specialties.map((x) => ({ value: x, label: x }))]} />
      )}
      <Select label={t("schedule.type")} field="type_id" value={type} onChange={setTypeId} error={fe.err("type_id")} options={refs.types.map((x) => ({ value: x.id, label: x.name }))} />
      <div className="form-row">
        <TextField label={t("schedule.fromDate")} field="from_date" type="date" value={from} onChange={setFrom} error={fe.err("from_date")} />
        <TextField label={t("schedule.toDate")} field="to_date" type="date" value={to} onChange={setTo} error={fe.err("to_date")} />
      </div>
      <div className="form-row">
        <TimeOfDayField field="time_of_day" value={part} onChange={setPart} />
        <TextField label={t("schedule.language")} field="language" value={language} onChange={setLanguage} error={fe.err("language")} hint={t("schedule.languageHint")} />
      </div>
      <Button type="submit" variant="primary">
        {t("schedule.findSlots")}
      </Button>
      {slots && slots.length === 0 && <p className="muted">{t("schedule.noSlots")}</p>}
      {slots && slots.length > 0 && (
        <ul className="slot-list" aria-label={t("schedule.slotsFound")}>
          {slots.map((s) => (
            <li key={`${s.clinician_id}-${s.starts_at}`}>
              <span>
                <strong>{formatLocal(s.local_start)}</strong> {s.clinician_name}
              </span>
              {canBook && (
                <Button onClick={() => onPick(s, type)} aria-label={t("schedule.bookSlotFound", { when: formatLocal(s.local_start), who: s.clinician_name })}>
                  {t("schedule.book")}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
