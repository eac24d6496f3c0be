// The appointments a leave or a closure covers, each with "find another time" (move to a free time of the same or
// another clinician) and "cancel with notice"; and the Schedule screen's panel that lists them for reception.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type AffectedAppointment, type Clash, type FreeSlot, type LeaveRequest, type Result } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { useSession } from "../../session/SessionContext";
import { addDays, formatDay, formatLocal } from "../schedule/civil";
import { ClashList } from "../schedule/ClashList";
import { useFieldErrors } from "../schedule/useFieldErrors";

/** What covers the appointments: it chooses the notice prefilled when cancelling. */
export type AffectedCause = "leave" | "closure";

const ALTERNATIVES = 8;

/** A closure's affected appointments, read again from its day (core answers them only when the closure is added). */
export async function closureAffected(run: ReturnType<typeof useSession>["run"], day: string): Promise<Result<AffectedAppointment[]>> {
  const r = await run((s) => api.scheduleDay(s, day));
  if (r.status === "error") return r;
  const cards = r.data.columns.flatMap((c) => c.appointments).filter((a) => a.status === "booked" || a.status === "arrived");
  return {
    status: "ok",
    data: cards.map((a) => ({ appointment_id: a.id, patient_id: a.patient_id, patient_name: a.patient_name, clinician_id: a.clinician_id, type_name: a.type_name, local_start: a.local_start, local_end: a.local_end, status: a.status })),
  };
}

/** The list with its actions for someone who may book; otherwise a hint that reception handles them. */
export function AffectedList({ list, cause, onHandled }: { list: AffectedAppointment[]; cause: AffectedCause; onHandled: (appointmentId: string) => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const canBook = can("appointment_write");
  return (
    <>
      <ul className="plain-list affected-list" data-testid="affected">
        {list.map((a) => (
          <AffectedRow key={a.appointment_id} appointment={a} cause={cause} canBook={canBook} onHandled={onHandled} />
        ))}
      </ul>
      {list.length > 0 && !canBook && <p className="muted">{t("schedule.admin.affectedHint")}</p>}
    </>
  );
}

type Pending = { slot: FreeSlot; clashes: Clash[] };

function AffectedRow({ appointment: a, cause, canBook, onHandled }: { appointment: AffectedAppointment; cause: AffectedCause; canBook: boolean; onHandled: (id: string) => void }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const [slots, setSlots] = useState<FreeSlot[] | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const what = `${formatLocal(a.local_start)} · ${a.patient_name} · ${a.type_name}`;
  const rowId = `affected-${a.appointment_id}`;

  const findTimes = async () => {
    setError(null);
    setPending(null);
    const r = await run((s) => api.appointmentAlternatives(s, a.appointment_id, ALTERNATIVES), { quiet: true });
    if (r.status === "error") return setError(r.error.message);
    setSlots(r.data);
  };
  const moveTo = async (slot: FreeSlot, confirm: boolean) => {
    setError(null);
    setBusy(true);
    const r = await run((s) => api.rescheduleAppointment(s, a.appointment_id, { start: slot.local_start.slice(0, 16), clinician_id: slot.clinician_id, duration_minutes: null }, confirm), { quiet: true });
    setBusy(false);
    if (r.status === "error") return setError(r.error.message);
    if (r.data.outcome === "needs_confirmation") return setPending({ slot, clashes: r.data.value });
    toast.show("success", t("schedule.moved", { patient: a.patient_name, when: formatLocal(r.data.value.appointment.local_start) }));
    onHandled(a.appointment_id);
  };

  return (
    <li className="affected-row" aria-labelledby={rowId}>
      <span id={rowId}>{what}</span>
      {canBook && (
        <div className="row-actions">
          <Button onClick={() => void findTimes()} aria-expanded={slots !== null}>
            {t("schedule.admin.findAnotherTime")}
          </Button>
          <Button variant="danger" onClick={() => setCancelling(true)}>
            {t("schedule.admin.cancelWithNotice")}
          </Button>
        </div>
      )}
      {error && (
        <Banner kind="danger" title={t("schedule.moveRefused")}>
          {error}
        </Banner>
      )}
      {pending && (
        <div className="affected-confirm">
          <p>{t("schedule.moveWhat", { patient: a.patient_name, when: `${formatLocal(pending.slot.local_start)} · ${pending.slot.clinician_name}` })}</p>
          <ClashList clashes={pending.clashes} />
          <div className="row-actions">
            <Button onClick={() => setPending(null)}>{t("schedule.admin.chooseAnother")}</Button>
            <Button variant="danger" busy={busy} onClick={() => void moveTo(pending.slot, true)}>
              {t("schedule.moveAnyway")}
            </Button>
          </div>
        </div>
      )}
      {slots && !pending && slots.length === 0 && <p className="muted">{t("schedule.admin.noAlternatives")}</p>}
      {slots && !pending && slots.length > 0 && (
        <ul className="plain-list" aria-label={t("schedule.admin.alternativesFor", { patient: a.patient_name })}>
          {slots.map((slot) => (
            <li key={`${slot.clinician_id}-${slot.local_start}`} className="queue-row">
              <span>{`${formatLocal(slot.local_start)} · ${slot.clinician_name}`}</span>
              <Button variant="primary" busy={busy} onClick={() => void moveTo(slot, false)} aria-label={t("schedule.admin.moveHereLabel", { when: formatLocal(slot.local_start), who: slot.clinician_name })}>
                {t("schedule.moveHere")}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <CancelWithNotice appointment={a} cause={cause} open={cancelling} onClose={() => setCancelling(false)} onCancelled={() => (setCancelling(false), onHandled(a.appointment_id))} />
    </li>
  );
}

function CancelWithNotice({ appointment: a, cause, open, onClose, onCancelled }: { appointment: AffectedAppointment; cause: AffectedCause; open: boolean; onClose: () => void; onCancelled: () => void }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const fe = useFieldErrors({ reason: "notice_reason" });
  const notice = cause === "leave" ? t("schedule.admin.noticeLeave") : t("schedule.admin.noticeClosure");
  const [reason, setReason] = useState(notice);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) setReason(notice);
    fe.clear();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- prefill again each time it opens
  }, [open]);

  const confirm = async () => {
    fe.clear();
    setBusy(true);
    const r = await run((s) => api.cancelAppointment(s, a.appointment_id, reason), { quiet: true });
    setBusy(false);
    if (r.status === "error") return fe.show(r.error);
    toast.show("success", t("schedule.admin.cancelledWithNotice", { patient: a.patient_name }));
    onCancelled();
  };

  return (
    <Dialog
      open={open}
      title={t("schedule.admin.cancelTitle", { patient: a.patient_name })}
      onClose={onClose}
      onSubmit={() => void confirm()}
      actions={
        <>
          <Button onClick={onClose}>{t("schedule.keep")}</Button>
          <Button type="submit" variant="danger" busy={busy}>
            {t("schedule.confirmCancel")}
          </Button>
        </>
      }
    >
      <p>{`${formatLocal(a.local_start)} · ${a.type_name}`}</p>
      {fe.general && <Banner kind="danger" title={fe.general} />}
      <TextField label={t("schedule.admin.noticeReason")} field="notice_reason" value={reason} onChange={setReason} error={fe.err("notice_reason")} hint={t("schedule.admin.noticeHint")} required />
    </Dialog>
  );
}

type Covered = { key: string; title: string; cause: AffectedCause; list: AffectedAppointment[] };

/** The Schedule screen's panel: approved leave and closures from today on, with the appointments each still covers. */
export function LeaveAffectedPanel({ today, version, onChanged }: { today: string; version: number; onChanged: () => void }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const [covered, setCovered] = useState<Covered[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mine, setMine] = useState(0);

  const load = useCallback(async () => {
    const leave = await run((s) => api.listLeave(s, "approved", null), { quiet: true });
    const closures = await run((s) => api.listClosures(s, today, addDays(today, 366)), { quiet: true });
    if (leave.status === "error") return setError(leave.error.message);
    if (closures.status === "error") return setError(closures.error.message);
    const found: Covered[] = [];
    for (const l of leave.data.filter((x: LeaveRequest) => x.local_end.slice(0, 10) >= today)) {
      const r = await run((s) => api.affectedByLeave(s, l.id), { quiet: true });
      if (r.status === "error") return setError(r.error.message);
      if (r.data.length > 0) found.push({ key: l.id, title: `${l.clinician_name} · ${formatLocal(l.local_start)} – ${formatLocal(l.local_end)}`, cause: "leave", list: r.data });
    }
    for (const c of closures.data) {
      const r = await closureAffected(run, c.day);
      if (r.status === "error") return setError(r.error.message);
      if (r.data.length > 0) found.push({ key: c.id, title: `${formatDay(c.day)} · ${c.name}`, cause: "closure", list: r.data });
    }
    setError(null);
    setCovered(found);
  }, [run, today]);
  useEffect(() => void load(), [load, version, mine]);

  const handled = () => {
    setMine((n) => n + 1);
    onChanged();
  };
  if (error) return <Banner kind="danger" title={error} />;
  if (!covered) return null;
  if (covered.length === 0) return <p className="muted">{t("schedule.admin.nothingAffected")}</p>;
  return (
    <div data-testid="leave-panel">
      {covered.map((c) => (
        <section key={c.key} className="affected-group" aria-label={c.title}>
          <h3 className="card-subtitle">{c.title}</h3>
          <p className="muted">{t("schedule.admin.affected", { count: c.list.length })}</p>
          <AffectedList list={c.list} cause={c.cause} onHandled={handled} />
        </section>
      ))}
    </div>
  );
}
