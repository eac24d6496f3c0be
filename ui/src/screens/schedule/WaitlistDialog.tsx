// Putting a patient on the waitlist: who, which type, any or one clinician, the dates and part of the day.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type TimeOfDay } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { Select } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useSession } from "../../session/SessionContext";
import { addDays } from "./civil";
import { PatientPicker, type PickedPatient } from "./PatientPicker";
import { TimeOfDayField } from "./TimeOfDayField";
import type { ScheduleRefs } from "./useScheduleRefs";
import { useFieldErrors } from "./useFieldErrors";

type Props = { open: boolean; today: string; refs: ScheduleRefs; onClose: () => void; onAdded: () => void };

export function WaitlistDialog({ open, today, refs, onClose, onAdded }: Props) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const fe = useFieldErrors();
  const [patient, setPatient] = useState<PickedPatient | null>(null);
  const [clinicianId, setClinicianId] = useState("");
  const [typeId, setTypeId] = useState("");
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(addDays(today, 14));
  const [part, setPart] = useState<TimeOfDay>({ kind: "any" });
  const [notes, setNotes] = useState("");

  useEffect(() => {
    if (!open) return;
    setPatient(null);
    setClinicianId("");
    setTypeId(refs.types[0]?.id ?? "");
    setFrom(today);
    setTo(addDays(today, 14));
    setNotes("");
    fe.clear();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reset when opened
  }, [open]);

  const submit = async () => {
    fe.clear();
    if (!patient) return fe.show({ code: "validation", field: "patient_id", message: t("schedule.choosePatient") });
    const r = await run((s) => api.addToWaitlist(s, { patient_id: patient.id, clinician_id: clinicianId || null, type_id: typeId, from_date: from, to_date: to, time_of_day: part, notes }), { quiet: true });
    if (r.status === "error") return fe.show(r.error);
    toast.show("success", t("schedule.waitlistAdded", { patient: patient.name }));
    onAdded();
  };

  return (
    <Dialog
      open={open}
      title={t("schedule.waitlistAddTitle")}
      onClose={onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="primary">
            {t("schedule.waitlistAdd")}
          </Button>
        </>
      }
    >
      {fe.general && <Banner kind="danger" title={fe.general} />}
      <PatientPicker field="patient_id" label={t("schedule.patient")} value={patient} onChange={setPatient} error={fe.err("patient_id")} />
      <div className="form-row">
        <Select label={t("schedule.type")} field="type_id" value={typeId} onChange={setTypeId} error={fe.err("type_id")} options={refs.types.map((x) => ({ value: x.id, label: x.name }))} />
        <Select label={t("schedule.clinician")} field="clinician_id" value={clinicianId} onChange={setClinicianId} error={fe.err("clinician_id")} options={[{ value: "", label: t("schedule.anyClinician") }, ...refs.clinicians.map((c) => ({ value: c.staff_id, label: c.display_name }))]} />
      </div>
      <div className="form-row">
        <TextField label={t("schedule.fromDate")} field="from_date" type="date" value={from} onChange={setFrom} error={fe.err("from_date")} />
        <TextField label={t("schedule.toDate")} field="to_date" type="date" value={to} onChange={setTo} error={fe.err("to_date")} />
        <TimeOfDayField field="time_of_day" value={part} onChange={setPart} />
      </div>
      <TextField label={t("schedule.notes")} field="notes" value={notes} onChange={setNotes} error={fe.err("notes")} />
    </Dialog>
  );
}
