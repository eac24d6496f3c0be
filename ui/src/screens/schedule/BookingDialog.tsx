// Booking from the calendar, the free-slot list or a patient's page: patient, clinician, type, start, special
// needs and an optional series. Core's clashes come back for confirmation when the clinic allows overbooking.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type BookingDraft, type Clash, type Frequency, type OccurrenceClashesView } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Checkbox } from "../../components/Checkbox";
import { Dialog } from "../../components/Dialog";
import { Select } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useSession } from "../../session/SessionContext";
import { ClashList } from "./ClashList";
import { formatLocal } from "./civil";
import { PatientPicker, type PickedPatient } from "./PatientPicker";
import type { ScheduleRefs } from "./useScheduleRefs";
import { useFieldErrors } from "./useFieldErrors";

export type BookingStart = { clinicianId: string; start: string; patient?: PickedPatient | null; typeId?: string };

type Props = { open: boolean; initial: BookingStart | null; refs: ScheduleRefs; onClose: () => void; onBooked: () => void };

export function BookingDialog({ open, initial, refs, onClose, onBooked }: Props) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const fe = useFieldErrors();
  const [patient, setPatient] = useState<PickedPatient | null>(null);
  const [clinicianId, setClinicianId] = useState("");
  const [typeId, setTypeId] = useState("");
  const [start, setStart] = useState("");
  const [duration, setDuration] = useState("");
  const [interpreter, setInterpreter] = useState("");
  const [accessibility, setAccessibility] = useState("");
  const [notes, setNotes] = useState("");
  const [repeat, setRepeat] = useState(false);
  const [frequency, setFrequency] = useState<Frequency>("weekly");
  const [interval, setInterval] = useState("1");
  const [count, setCount] = useState("4");
  const [clashes, setClashes] = useState<Clash[] | null>(null);
  const [seriesClashes, setSeriesClashes] = useState<{ occurrences: OccurrenceClashesView[]; canConfirm: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open || !initial) return;
    setPatient(initial.patient ?? null);
    setClinicianId(initial.clinicianId || refs.clinicians[0]?.staff_id || "");
    setTypeId(initial.typeId || refs.types[0]?.id || "");
    setStart(initial.start.slice(0, 16));
    setDuration("");
    setInterpreter("");
    setAccessibility("");
    setNotes("");
    setRepeat(false);
    setClashes(null);
    setSeriesClashes(null);
    fe.clear();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset only when the dialog opens
  }, [open, initial]);

  const submit = async (confirm: boolean) => {
    fe.clear();
    if (!patient) {
      fe.show({ code: "validation", field: "patient_id", message: t("schedule.choosePatient") });
      return;
    }
    const draft: BookingDraft = {
      patient_id: patient.id,
      clinician_id: clinicianId,
      type_id: typeId,
      start,
      duration_minutes: duration.trim() ? Number(duration) : null,
      special_needs: { interpreter_language: interpreter.trim() || null, accessibility, notes },
    };
    setBusy(true);
    if (repeat) {
      const recurrence = { frequency, interval: Number(interval) || 0, count: Number(count) || 0 };
      const r = await run((s) => api.bookAppointmentSeries(s, draft, recurrence, confirm), { quiet: true });
      setBusy(false);
      if (r.status === "error") return fe.show(r.error);
      if (r.data.outcome === "clashes") {
        setSeriesClashes({ occurrences: r.data.value.occurrences, canConfirm: r.data.value.can_confirm });
        return;
      }
      toast.show("success", t("schedule.seriesBooked", { count: r.data.value.length }));
    } else {
      const r = await run((s) => api.bookAppointment(s, draft, confirm), { quiet: true });
      setBusy(false);
      if (r.status === "error") return fe.show(r.error);
      if (r.data.outcome === "needs_confirmation") {
        setClashes(r.data.value);
        return;
      }
      toast.show("success", t("schedule.booked", { patient: patient.name, when: formatLocal(r.data.value.local_start) }));
    }
    onBooked();
  };

  const needsConfirm = clashes !== null || (seriesClashes?.canConfirm ?? false);
  return (
    <Dialog
      open={open}
      title={t("schedule.bookTitle")}
      onClose={onClose}
      onSubmit={() => void submit(false)}
      actions={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          {needsConfirm && (
            <Button variant="danger" busy={busy} onClick={() => void submit(true)}>
              {t("schedule.bookAnyway")}
            </Button>
          )}
          <Button type="submit" variant="primary" busy={busy}>
            {t("schedule.book")}
          </Button>
        </>
      }
    >
      {refs.types.length === 0 && <Banner kind="warning" title={t("schedule.noTypes")} />}
      {fe.general && <Banner kind="danger" title={fe.general} />}
      {clashes && <ClashList clashes={clashes} />}
      {seriesClashes && (
        <Banner kind="warning" title={t("schedule.seriesClashes")}>
          <ul className="clash-list">
            {seriesClashes.occurrences.map((o) => (
              <li key={o.index}>
                <strong>{formatLocal(o.local_start)}</strong>: {o.clashes.map((c) => c.message).join(" ")}
              </li>
            ))}
          </ul>
          {!seriesClashes.canConfirm && <p>{t("schedule.seriesNothingBooked")}</p>}
        </Banner>
      )}
      <PatientPicker field="patient_id" label={t("schedule.patient")} value={patient} onChange={setPatient} error={fe.err("patient_id")} />
      <div className="form-row">
        <Select label={t("schedule.clinician")} field="clinician_id" value={clinicianId} onChange={setClinicianId} error={fe.err("clinician_id")} options={refs.clinicians.map((c) => ({ value: c.staff_id, label: c.display_name }))} required />
        <Select label={t("schedule.type")} field="type_id" value={typeId} onChange={setTypeId} error={fe.err("type_id")} options={refs.types.map((x) => ({ value: x.id, label: t("schedule.typeOption", { name: x.name, minutes: x.duration_minutes }) }))} required />
      </div>
      <div className="form-row">
        <TextField label={t("schedule.start")} field="start" type="datetime-local" step={300} value={start} onChange={setStart} error={fe.err("start")} required />
        <TextField label={t("schedule.duration")} field="duration_minutes" inputMode="numeric" value={duration} onChange={setDuration} error={fe.err("duration_minutes")} hint={t("schedule.durationHint")} />
      </div>
      <fieldset className="fieldset">
        <legend>{t("schedule.specialNeeds")}</legend>
        <div className="form-row">
          <TextField label={t("schedule.interpreterLanguage")} field="special_needs.interpreter_language" value={interpreter} onChange={setInterpreter} error={fe.err("special_needs.interpreter_language")} hint={t("schedule.interpreterHint")} />
          <TextField label={t("schedule.accessibility")} field="special_needs.accessibility" value={accessibility} onChange={setAccessibility} error={fe.err("special_needs.accessibility")} />
        </div>
        <TextField label={t("schedule.notes")} field="special_needs.notes" value={notes} onChange={setNotes} error={fe.err("special_needs.notes")} />
      </fieldset>
      <Checkbox label={t("schedule.repeat")} field="repeat" checked={repeat} onChange={setRepeat} />
      {repeat && (
        <div className="form-row">
          <Select label={t("schedule.frequency")} field="frequency" value={frequency} onChange={(v) => setFrequency(v as Frequency)} options={[{ value: "weekly", label: t("schedule.weekly") }, { value: "daily", label: t("schedule.daily") }]} />
          <TextField label={t("schedule.interval")} field="interval" inputMode="numeric" value={interval} onChange={setInterval} error={fe.err("interval")} />
          <TextField label={t("schedule.count")} field="count" inputMode="numeric" value={count} onChange={setCount} error={fe.err("count")} />
        </div>
      )}
    </Dialog>
  );
}
