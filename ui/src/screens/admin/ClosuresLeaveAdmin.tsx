// Clinic closures and clinicians' leave: add a closure or a request, approve or reject, and see the appointments
// each covers (nothing is cancelled automatically: whoever may book moves them or cancels them with notice).
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type AffectedAppointment, type Clinician, type Closure, type LeaveRequest } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Select } from "../../components/Select";
import { TextField } from "../../components/TextField";
import { useSession } from "../../session/SessionContext";
import { addDays, formatDay, formatLocal } from "../schedule/civil";
import { useFieldErrors } from "../schedule/useFieldErrors";
import { AffectedList, closureAffected } from "./AffectedActions";

type Props = { clinicians: Clinician[]; today: string };

/** The list shown and where it came from, so it can be read again after a move or a cancellation. */
type Shown = { source: { kind: "leave"; id: string } | { kind: "closure"; day: string }; list: AffectedAppointment[] };

function Affected({ shown, onHandled }: { shown: Shown | null; onHandled: (id: string) => void }) {
  const { t } = useTranslation();
  if (!shown) return null;
  const { list } = shown;
  return (
    <Banner kind={list.length ? "warning" : "info"} title={t("schedule.admin.affected", { count: list.length })}>
      <AffectedList list={list} cause={shown.source.kind} onHandled={onHandled} />
    </Banner>
  );
}

export function ClosuresLeaveAdmin({ clinicians, today }: Props) {
  const { t } = useTranslation();
  const { run, can } = useSession();
  const [closures, setClosures] = useState<Closure[]>([]);
  const [leave, setLeave] = useState<LeaveRequest[]>([]);
  const [closure, setClosure] = useState({ day: "", name: "" });
  const [request, setRequest] = useState({ clinician: "", start: "", end: "", reason: "" });
  const [affected, setAffected] = useState<Shown | null>(null);
  const closureErrors = useFieldErrors({ day: "closure_day", name: "closure_name" });
  const leaveErrors = useFieldErrors({ start: "leave_start", end: "leave_end", reason: "leave_reason", clinician_id: "leave_clinician" });

  const load = useCallback(() => {
    void run((s) => api.listClosures(s, today, addDays(today, 366))).then((r) => r.status === "ok" && setClosures(r.data));
    void run((s) => api.listLeave(s, null, null)).then((r) => r.status === "ok" && setLeave(r.data));
  }, [run, today]);
  useEffect(load, [load]);

  const addClosure = async () => {
    closureErrors.clear();
    const r = await run((s) => api.addClosure(s, closure.day, closure.name), { quiet: true });
    if (r.status === "error") return closureErrors.show(r.error);
    setAffected({ source: { kind: "closure", day: r.data.closure.day }, list: r.data.affected });
    setClosure({ day: "", name: "" });
    load();
  };
  const requestLeave = async () => {
    leaveErrors.clear();
    const who = request.clinician || clinicians[0]?.staff_id || "";
    const r = await run((s) => api.requestLeave(s, { clinician_id: who, start: request.start, end: request.end, reason: request.reason }), { quiet: true });
    if (r.status === "error") return leaveErrors.show(r.error);
    setRequest({ clinician: "", start: "", end: "", reason: "" });
    load();
  };
  const decide = async (l: LeaveRequest, approve: boolean) => {
    if (approve) {
      const r = await run((s) => api.approveLeave(s, l.id, ""));
      if (r.status === "ok") setAffected({ source: { kind: "leave", id: l.id }, list: r.data.affected });
    } else await run((s) => api.rejectLeave(s, l.id, ""));
    load();
  };

  const showLeave = (id: string) =>
    void run((s) => api.affectedByLeave(s, id)).then((r) => r.status === "ok" && setAffected({ source: { kind: "leave", id }, list: r.data }));
  /** After a move or a cancellation: the leave's list is read again; a closure's from its day. */
  const reloadAffected = (handledId: string) => {
    if (!affected) return;
    const { source } = affected;
    if (source.kind === "leave") return showLeave(source.id);
    void closureAffected(run, source.day).then((r) =>
      setAffected((now) => (now?.source === source ? { source, list: r.status === "ok" ? r.data : now.list.filter((a) => a.appointment_id !== handledId) } : now)),
    );
  };

  return (
    <section className="card admin-section" aria-labelledby="closures-title">
      <h2 className="card-title" id="closures-title">
        {t("schedule.admin.closuresLeave")}
      </h2>
      <Affected shown={affected} onHandled={reloadAffected} />
      <h3 className="card-subtitle">{t("schedule.admin.closures")}</h3>
      <ul className="plain-list">
        {closures.map((c) => (
          <li key={c.id}>
            {formatDay(c.day)} · {c.name}{" "}
            <Button variant="ghost" onClick={() => void run((s) => api.removeClosure(s, c.id)).then(load)}>
              {t("common.remove")}
            </Button>
          </li>
        ))}
      </ul>
      <form className="inline-form" noValidate onSubmit={(e) => (e.preventDefault(), void addClosure())}>
        {closureErrors.general && <Banner kind="danger" title={closureErrors.general} />}
        <div className="form-row">
          <TextField label={t("schedule.admin.closureDay")} field="closure_day" type="date" value={closure.day} onChange={(v) => setClosure({ ...closure, day: v })} error={closureErrors.err("closure_day")} />
          <TextField label={t("schedule.admin.closureName")} field="closure_name" value={closure.name} onChange={(v) => setClosure({ ...closure, name: v })} error={closureErrors.err("closure_name")} />
        </div>
        <Button type="submit">{t("schedule.admin.addClosure")}</Button>
      </form>

      <h3 className="card-subtitle">{t("schedule.admin.leave")}</h3>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("schedule.clinician")}</th>
            <th scope="col">{t("schedule.admin.period")}</th>
            <th scope="col">{t("schedule.admin.reason")}</th>
            <th scope="col">{t("schedule.admin.state")}</th>
            <th scope="col">
              <span className="visually-hidden">{t("schedule.admin.actions")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {leave.map((l) => (
            <tr key={l.id}>
              <th scope="row">{l.clinician_name}</th>
              <td>{`${formatLocal(l.local_start)} – ${formatLocal(l.local_end)}`}</td>
              <td>{l.reason}</td>
              <td>{t(`schedule.admin.leaveStatus.${l.status}`)}</td>
              <td className="row-actions">
                <Button variant="ghost" onClick={() => showLeave(l.id)}>
                  {t("schedule.admin.showAffected")}
                </Button>
                {l.status === "requested" && can("leave_approve") && (
                  <>
                    <Button variant="primary" onClick={() => void decide(l, true)}>
                      {t("schedule.admin.approve")}
                    </Button>
                    <Button onClick={() => void decide(l, false)}>{t("schedule.admin.reject")}</Button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" noValidate onSubmit={(e) => (e.preventDefault(), void requestLeave())}>
        {leaveErrors.general && <Banner kind="danger" title={leaveErrors.general} />}
        <div className="form-row">
          <Select label={t("schedule.clinician")} field="leave_clinician" value={request.clinician || clinicians[0]?.staff_id || ""} onChange={(v) => setRequest({ ...request, clinician: v })} options={clinicians.map((c) => ({ value: c.staff_id, label: c.display_name }))} error={leaveErrors.err("leave_clinician")} />
          <TextField label={t("schedule.admin.from")} field="leave_start" type="datetime-local" value={request.start} onChange={(v) => setRequest({ ...request, start: v })} error={leaveErrors.err("leave_start")} />
          <TextField label={t("schedule.admin.to")} field="leave_end" type="datetime-local" value={request.end} onChange={(v) => setRequest({ ...request, end: v })} error={leaveErrors.err("leave_end")} />
          <TextField label={t("schedule.admin.reason")} field="leave_reason" value={request.reason} onChange={(v) => setRequest({ ...request, reason: v })} error={leaveErrors.err("leave_reason")} />
        </div>
        <Button type="submit">{t("schedule.admin.requestLeave")}</Button>
      </form>
    </section>
  );
}
