// The sync screen: connection state and "sync now", connecting this computer, and what needs a person.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type ReviewItem } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Spinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { formatDateTime, formatNumber } from "../../format";
import { useSession } from "../../session/SessionContext";
import { useSyncStatus } from "../../session/SyncStatusContext";
import { EnrollForm } from "./EnrollForm";
import { RejectedChanges } from "./RejectedChanges";
import { ReviewItems } from "./ReviewItems";
import { syncHeadline } from "./SyncIndicator";

export function SyncScreen() {
  const { t } = useTranslation();
  const { run, can } = useSession();
  const toast = useToast();
  const { status, refresh } = useSyncStatus();
  const [items, setItems] = useState<ReviewItem[] | null>(null);
  const [showClosed, setShowClosed] = useState(false);
  const [syncing, setSyncing] = useState(false);
  const [reenroll, setReenroll] = useState(false);

  const loadItems = useCallback(() => {
    void run((s) => api.listReviewItems(s, showClosed), { quiet: true }).then((r) => setItems(r.status === "ok" ? r.data : []));
  }, [run, showClosed]);

  useEffect(() => loadItems(), [loadItems]);

  const changed = () => {
    loadItems();
    void refresh();
  };

  const syncNow = async () => {
    setSyncing(true);
    const r = await run((s) => api.syncNow(s));
    setSyncing(false);
    if (r.status === "ok") toast.show("success", t("sync.done"), t("sync.doneBody", { sent: r.data.pushed, received: r.data.pulled + r.data.bootstrap_records }));
    changed();
  };

  if (!status) return <Spinner label={t("common.loading")} />;
  const headline = syncHeadline(t, status);
  const showEnroll = can("sync_manage") && (!status.enrolled || reenroll || status.last_error?.code === "device_revoked");

  return (
    <section className="page sync-page">
      <header className="page-header">
        <h1 tabIndex={-1}>{t("sync.title")}</h1>
        <p className={`sync-headline sync-${headline.tone}`} role="status">
          <span className="sync-dot" aria-hidden="true" /> {headline.text}
        </p>
      </header>

      {status.last_error && status.last_error.code !== "not_enrolled" && (
        <Banner kind={status.last_error.code === "offline" ? "info" : "warning"} title={t(`sync.problem.${status.last_error.code}`)}>
          {status.last_error.message}
        </Banner>
      )}
      {status.clock_skew && <Banner kind="warning" title={t("sync.skewTitle")}>{status.clock_skew.message}</Banner>}
      {status.audit_chain_break && <Banner kind="danger" title={t("sync.chainBreakTitle")}>{status.audit_chain_break}</Banner>}

      {status.enrolled && (
        <section className="card" aria-labelledby="sync-connection">
          <h2 id="sync-connection">{t("sync.connection")}</h2>
          <dl className="dl">
            <dt>{t("sync.server")}</dt>
            <dd>{status.server_url}</dd>
            <dt>{t("sync.clinic")}</dt>
            <dd>{status.clinic_name}</dd>
            <dt>{t("sync.thisComputer")}</dt>
            <dd>{status.device_name}</dd>
            <dt>{t("sync.lastSynced")}</dt>
            <dd>{status.last_synced_at ? formatDateTime(status.last_synced_at) : t("sync.never")}</dd>
            <dt>{t("sync.waiting")}</dt>
            <dd>{t("sync.pendingLong", { count: status.pending_count, n: formatNumber(status.pending_count) })}</dd>
            <dt>{t("sync.firstDownload")}</dt>
            <dd>{status.initial_download_done ? t("sync.firstDownloadDone", { n: formatNumber(status.initial_download_records) }) : t("sync.firstDownloadRunning", { n: formatNumber(status.initial_download_records) })}</dd>
            {status.records_waiting > 0 && (
              <>
                <dt>{t("sync.recordsWaiting")}</dt>
                <dd>{formatNumber(status.records_waiting)}</dd>
              </>
            )}
          </dl>
          <div className="form-actions">
            {can("sync_run") && (
              <Button variant="primary" busy={syncing} onClick={() => void syncNow()}>
                {t("sync.syncNow")}
              </Button>
            )}
            {can("sync_manage") && !showEnroll && <Button onClick={() => setReenroll(true)}>{t("sync.enrollAgain")}</Button>}
          </div>
        </section>
      )}

      {!status.enrolled && !can("sync_manage") && <p className="muted">{t("sync.askAdministrator")}</p>}
      {showEnroll && (
        <section className="card">
          <EnrollForm
            defaultServer={status.server_url ?? "https://"}
            onEnrolled={() => {
              setReenroll(false);
              changed();
            }}
          />
        </section>
      )}

      <section aria-labelledby="sync-review">
        <div className="section-header">
          <h2 id="sync-review">{t("sync.reviewTitle", { count: status.open_review_items })}</h2>
          <label className="checkbox-inline">
            <input type="checkbox" checked={showClosed} onChange={(e) => setShowClosed(e.target.checked)} /> {t("sync.showClosed")}
          </label>
        </div>
        {items ? <ReviewItems items={items} onChanged={changed} /> : <Spinner label={t("common.loading")} />}
      </section>

      <section aria-labelledby="sync-rejected">
        <h2 id="sync-rejected">{t("sync.rejectedTitle", { count: status.rejected.length })}</h2>
        <RejectedChanges changes={status.rejected} onChanged={changed} />
      </section>
    </section>
  );
}
