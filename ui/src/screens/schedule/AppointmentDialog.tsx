// One appointment: details, the day's actions (check in, start, complete, no-show, cancel with a reason), moving it
// by keyboard, and for telemedicine the meeting link and the patient's recording consent.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Appointment, type AppointmentCard, type Result, type WaitlistOffer } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { Select } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { formatDateTime } from "../../format";
import { useSession } from "../../session/SessionContext";
import { useNavigate } from "../routes";
import { formatLocal, hm } from "./civil";
import type { ScheduleRefs } from "./useScheduleRefs";
import { useFieldErrors } from "./useFieldErrors";

type Props = {
  card: AppointmentCard | null;
  refs: ScheduleRefs;
  onClose: () => void;
  onChanged: () => void;
  onMove: (card: AppointmentCard, clinicianId: string, start: string) => void;
  onOffers: (offers: WaitlistOffer[]) => void;
};

export function AppointmentDialog({ card, refs, onClose, onChanged, onMove, onOffers }: Props) {
  const { t } = useTranslation();
  const { run, can } = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const fe = useFieldErrors();
  const [full, setFull] = useState<Appointment | null>(null);
  const [mode, setMode] = useState<"view" | "cancel" | "move">("view");
  const [reason, setReason] = useState("");
  const [moveStart, setMoveStart] = useState("");
  const [moveClinician, setMoveClinician] = useState("");
  const [busy, setBusy] = useState(false);
  const write = can("appointment_write");

  useEffect(() => {
    setFull(null);
    setMode("view");
    setReason("");
    fe.clear();
    if (!card) return;
    setMoveStart(card.local_start.slice(0, 16));
    setMoveClinician(card.clinician_id);
    void run((s) => api.getAppointment(s, card.id)).then((r) => r.status === "ok" && setFull(r.data));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reload when another appointment opens
  }, [card, run]);

  const act = async (call: (s: string) => Promise<Result<Appointment>>, done: string) => {
    fe.clear();
    setBusy(true);
    const r = await run(call, { quiet: true });
    setBusy(false);
    if (r.status === "error") return fe.show(r.error);
    setFull(r.data);
    toast.show("success", done);
    onChanged();
  };

  const cancel = async () => {
    if (!card) return;
    fe.clear();
    setBusy(true);
    const r = await run((s) => api.cancelAppointment(s, card.id, reason), { quiet: true });
    setBusy(false);
    if (r.status === "error") return fe.show(r.error);
    toast.show("success", t("schedule.cancelled"));
    onChanged();
    onClose();
    if (r.data.waitlist_offers.length > 0) onOffers(r.data.waitlist_offers);
  };

  const status = full?.status ?? card?.status ?? "booked";
  const id = card?.id ?? "";
  return (
    <Dialog open={card !== null} title={card ? t("schedule.appointmentTitle", { patient: card.patient_name }) : ""} onClose={onClose} actions={<Button onClick={onClose}>{t("schedule.close")}</Button>}>
      {card && (
        <>
          <dl className="dl appointment-details">
            <div className="dl-row">
              <dt>{t("schedule.when")}</dt>
              <dd>{`${formatLocal(card.local_start)}–${hm(card.local_end)}`}</dd>
            </div>
            <div className="dl-row">
              <dt>{t("schedule.clinician")}</dt>
              <dd>{card.clinician_name}</dd>
            </div>
            <div className="dl-row">
              <dt>{t("schedule.type")}</dt>
              <dd>
                <span className="type-swatch" style={{ backgroundColor: card.colour }} aria-hidden="true" /> {card.type_name}
              </dd>
            </div>
            <div className="dl-row">
              <dt>{t("schedule.statusLabel")}</dt>
              <dd>
                <span className={`status-marker status-${status}`} data-testid="appointment-status">
                  {t(`schedule.status.${status}`)}
                </span>
                {card.overbooked && <span className="status-marker status-overbooked">{t("schedule.overbooked")}</span>}
              </dd>
            </div>
            {full?.arrived_at && (
              <div className="dl-row">
                <dt>{t("schedule.arrivedAt")}</dt>
                <dd>{formatDateTime(full.arrived_at)}</dd>
              </div>
            )}
            {full?.cancel_reason && (
              <div className="dl-row">
                <dt>{t("schedule.cancelReason")}</dt>
                <dd>{full.cancel_reason}</dd>
              </div>
            )}
            {(card.special_needs.interpreter_language || card.special_needs.accessibility || card.special_needs.notes) && (
              <div className="dl-row">
                <dt>{t("schedule.specialNeeds")}</dt>
                <dd>
                  {[card.special_needs.interpreter_language ? t("schedule.interpreter", { language: card.special_needs.interpreter_language }) : "", card.special_needs.accessibility, card.special_needs.notes].filter(Boolean).join(" · ")}
                </dd>
              </div>
            )}
          </dl>

          {full?.meeting_link && (
            <section className="telemedicine" aria-label={t("schedule.telemedicine")}>
              <p>
                {t("schedule.meetingLink")}: <span className="mono">{full.meeting_link}</span>
              </p>
              <p data-testid="consent-status">{full.recording_consent ? t("schedule.consentGiven") : t("schedule.consentMissing")}</p>
              {write && (
                <div className="row-actions">
                  <Button onClick={() => void act((s) => api.setRecordingConsent(s, id, !full.recording_consent), t("schedule.consentSaved"))}>
                    {full.recording_consent ? t("schedule.withdrawConsent") : t("schedule.recordConsent")}
                  </Button>
                  <Button
                    onClick={() =>
                      void run((s) => api.startRecordedSession(s, id), { quiet: true }).then((r) =>
                        r.status === "ok" ? toast.show("success", t("schedule.recordingStarted")) : fe.show(r.error),
                      )
                    }
                  >
                    {t("schedule.startRecording")}
                  </Button>
                </div>
              )}
              {fe.err("recording_consent") && <p className="field-error">{fe.err("recording_consent")}</p>}
            </section>
          )}

          {fe.general && <Banner kind="danger" title={fe.general} />}
          {fe.err("appointment_id") && <Banner kind="danger" title={fe.err("appointment_id") ?? ""} />}

          {write && mode === "view" && (
            <div className="appointment-actions">
              {status === "booked" && (
                <Button variant="primary" busy={busy} onClick={() => void act((s) => api.checkInAppointment(s, id), t("schedule.checkedIn", { patient: card.patient_name }))}>
                  {t("schedule.checkIn")}
                </Button>
              )}
              {(status === "booked" || status === "arrived") && (
                <Button busy={busy} onClick={() => void act((s) => api.startConsultation(s, id), t("schedule.started"))}>
                  {t("schedule.startConsultation")}
                </Button>
              )}
              {status === "in_consultation" && (
                <Button variant="primary" busy={busy} onClick={() => void act((s) => api.completeAppointment(s, id), t("schedule.completed"))}>
                  {t("schedule.complete")}
                </Button>
              )}
              {status === "booked" && (
                <Button busy={busy} onClick={() => void act((s) => api.markNoShow(s, id), t("schedule.markedNoShow"))}>
                  {t("schedule.noShow")}
                </Button>
              )}
              {status === "booked" && <Button onClick={() => setMode("move")}>{t("schedule.move")}</Button>}
              {(status === "booked" || status === "arrived") && (
                <Button variant="danger" onClick={() => setMode("cancel")}>
                  {t("schedule.cancelAppointment")}
                </Button>
              )}
              <Button variant="ghost" onClick={() => navigate({ name: "patient", id: card.patient_id })}>
                {t("schedule.openPatient")}
              </Button>
            </div>
          )}
          {mode === "cancel" && (
            <form
              className="inline-form"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                void cancel();
              }}
            >
              <TextField label={t("schedule.cancelReason")} field="reason" value={reason} onChange={setReason} error={fe.err("reason")} required autoFocus />
              <div className="row-actions">
                <Button onClick={() => setMode("view")}>{t("schedule.keep")}</Button>
                <Button type="submit" variant="danger" busy={busy}>
                  {t("schedule.confirmCancel")}
                </Button>
              </div>
            </form>
          )}
          {mode === "move" && (
            <form
              className="inline-form"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                onMove(card, moveClinician, moveStart);
              }}
            >
              <div className="form-row">
                <TextField label={t("schedule.newStart")} field="move_start" type="datetime-local" step={300} value={moveStart} onChange={setMoveStart} required autoFocus />
                <Select label={t("schedule.clinician")} field="move_clinician" value={moveClinician} onChange={setMoveClinician} options={refs.clinicians.map((c) => ({ value: c.staff_id, label: c.display_name }))} />
              </div>
              <div className="row-actions">
                <Button onClick={() => setMode("view")}>{t("common.cancel")}</Button>
                <Button type="submit" variant="primary">
                  {t("schedule.moveHere")}
                </Button>
              </div>
            </form>
          )}
        </>
      )}
    </Dialog>
  );
}
