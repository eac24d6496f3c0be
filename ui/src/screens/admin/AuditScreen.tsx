// The audit trail for administrators: filters (person, action, dates), the table, chain verification and CSV export.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, type AuditAction, type AuditEntry, type AuditFilter, type ChainReport, type StaffMember } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { DateField } from "../../components/DateField";
import { Select } from "../../components/Select";
import { Spinner } from "../../components/Spinner";
import { fieldId } from "../../components/fieldId";
import { useToast } from "../../components/Toast";
import { isIsoDate, isoToTyped } from "../../dates";
import { formatDateTime, formatNumber } from "../../format";
import { useDateFormat, useSession } from "../../session/SessionContext";

export const AUDIT_ACTIONS: AuditAction[] = [
  "clinic_setup", "login", "logout", "session_lock", "session_unlock", "access_denied", "staff_create",
  "staff_role_change", "staff_deactivate", "staff_reactivate", "password_reset", "password_change", "settings_update",
  "patient_create", "patient_view", "patient_update", "patient_delete", "patient_merge", "patient_import",
  "audit_view", "audit_export", "backup", "restore", "recovery_sheet_export", "integrity_check",
  "sync_enroll", "sync_apply", "review_resolve", "sync_retry", "sync_discard",
  "appointment_book", "appointment_reschedule", "appointment_cancel", "appointment_status", "appointment_consent",
  "telemedicine_recording", "appointment_type_change", "schedule_change", "leave_request", "leave_decision",
  "waitlist_change", "calendar_export", "calendar_feed_issue", "calendar_feed_revoke",
];

const LIMIT = 500;

export function AuditScreen() {
  const { t } = useTranslation();
  const { run, can } = useSession();
  const toast = useToast();
  const [staff, setStaff] = useState<StaffMember[]>([]);
  const [userId, setUserId] = useState("");
  const [action, setAction] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [dateError, setDateError] = useState<{ field: string; message: string } | null>(null);
  const dateFormat = useDateFormat();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [report, setReport] = useState<ChainReport | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [exporting, setExporting] = useState(false);

  const filter = useCallback(
    (): AuditFilter => ({
      user_id: userId || null,
      patient_id: null,
      action: (action || null) as AuditAction | null,
      from_date: from || null,
      to_date: to || null,
      limit: LIMIT,
    }),
    [userId, action, from, to],
  );

  const load = useCallback(() => {
    setEntries(null);
    void run((s) => api.listAudit(s, filter())).then((r) => setEntries(r.status === "ok" ? r.data : []));
  }, [run, filter]);

  useEffect(() => {
    if (can("staff_manage")) void run((s) => api.listStaff(s), { quiet: true }).then((r) => r.status === "ok" && setStaff(r.data));
    load();
    // Loads once on arrival; later loads follow "Apply filters".
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    const bad = from !== "" && !isIsoDate(from) ? "from_date" : to !== "" && !isIsoDate(to) ? "to_date" : null;
    if (bad) {
      const pattern = t(`dates.pattern.${dateFormat}`);
      setDateError({ field: bad, message: t("dates.invalid", { pattern, example: isoToTyped("1980-12-31", dateFormat) }) });
      document.getElementById(fieldId(bad))?.focus();
      return;
    }
    setDateError(null);
    load();
  };

  const verify = async () => {
    setVerifying(true);
    const r = await run((s) => api.verifyAudit(s));
    setVerifying(false);
    if (r.status === "ok") setReport(r.data);
  };

  const exportCsv = async () => {
    setExporting(true);
    const r = await run((s) => api.exportAuditCsv(s, filter()));
    setExporting(false);
    if (r.status === "ok" && r.data) toast.show("success", t("audit.exported", { count: r.data.entries }), r.data.path);
  };

  return (
    <section className="page">
      <header className="page-header page-header-row">
        <h1 tabIndex={-1}>{t("audit.title")}</h1>
        <div className="page-actions">
          <Button onClick={() => void verify()} busy={verifying}>
            {t("audit.verify")}
          </Button>
          <Button onClick={() => void exportCsv()} busy={exporting}>
            {t("audit.export")}
          </Button>
        </div>
      </header>
      {report &&
        (report.breaks.length === 0 ? (
          <Banner kind="success" title={t("audit.intactTitle")}>
            {t("audit.intactBody", { entries: formatNumber(report.entries_checked ?? 0), devices: formatNumber(report.devices ?? 0) })}
          </Banner>
        ) : (
          <Banner kind="danger" title={t("audit.brokenTitle", { count: report.breaks.length })}>
            <ul>
              {report.breaks.map((b, i) => (
                <li key={i}>{t("audit.breakLine", { device: b.device_id, seq: b.seq, problem: b.problem })}</li>
              ))}
            </ul>
          </Banner>
        ))}
      <form className="filters" onSubmit={apply} noValidate aria-label={t("audit.filters")}>
        <Select
          label={t("audit.user")}
          field="audit_user"
          value={userId}
          options={[{ value: "", label: t("audit.anyone") }, ...staff.map((s) => ({ value: s.id, label: `${s.display_name} (${s.username})` }))]}
          onChange={setUserId}
        />
        <Select
          label={t("audit.action")}
          field="audit_action"
          value={action}
          options={[{ value: "", label: t("audit.anyAction") }, ...AUDIT_ACTIONS.map((a) => ({ value: a, label: t(`auditAction.${a}`) }))]}
          onChange={setAction}
        />
        <DateField label={t("audit.from")} field="from_date" format={dateFormat} value={from} onChange={setFrom} error={dateError?.field === "from_date" ? dateError.message : null} />
        <DateField label={t("audit.to")} field="to_date" format={dateFormat} value={to} onChange={setTo} error={dateError?.field === "to_date" ? dateError.message : null} />
        <Button type="submit" variant="primary">
          {t("audit.apply")}
        </Button>
      </form>
      {!entries && <Spinner label={t("common.loading")} />}
      {entries && entries.length === 0 && <p className="muted">{t("audit.none")}</p>}
      {entries && entries.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label={t("audit.tableCaption")}>
          <table className="table table-dense">
            <caption className="visually-hidden">{t("audit.tableCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("audit.when")}</th>
                <th scope="col">{t("audit.user")}</th>
                <th scope="col">{t("audit.action")}</th>
                <th scope="col">{t("audit.outcome")}</th>
                <th scope="col">{t("audit.record")}</th>
                <th scope="col">{t("audit.detail")}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={`${e.device_id}-${e.seq}`}>
                  <td className="nowrap">{formatDateTime(e.at)}</td>
                  <td>{e.username ?? t("audit.system")}</td>
                  <td>{t(`auditAction.${e.action}`, { defaultValue: e.action })}</td>
                  <td>
                    <span className={`status-pill outcome-${e.outcome}`}>{t(`auditOutcome.${e.outcome}`, { defaultValue: e.outcome })}</span>
                  </td>
                  <td className="mono">{e.entity_type ? `${t(`entityType.${e.entity_type}`, { defaultValue: e.entity_type })} ${(e.entity_id ?? "").slice(0, 8)}` : ""}</td>
                  <td className="detail">{e.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length >= LIMIT && <p className="muted">{t("audit.limited", { count: LIMIT })}</p>}
        </div>
      )}
    </section>
  );
}
