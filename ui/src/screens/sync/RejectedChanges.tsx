// Changes the clinic server refused: kept on this computer with the server's reason, sent again or discarded by a person.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type RejectedChange } from "../../api";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { fieldErrorOf } from "../../errors";
import { formatDateTime } from "../../format";
import { useSession } from "../../session/SessionContext";

type Props = { changes: RejectedChange[]; onChanged: () => void };

export function RejectedChanges({ changes, onChanged }: Props) {
  const { t } = useTranslation();
  const { run, can } = useSession();
  const toast = useToast();
  const [discarding, setDiscarding] = useState<RejectedChange | null>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (changes.length === 0) return <p className="muted">{t("sync.noRejected")}</p>;

  const retry = async (change: RejectedChange) => {
    const r = await run((s) => api.retryRejectedChange(s, change.device_seq));
    if (r.status === "ok") {
      toast.show("success", t("sync.retried"));
      onChanged();
    }
  };

  const discard = async () => {
    if (!discarding) return;
    setError(null);
    setBusy(true);
    const r = await run((s) => api.discardRejectedChange(s, discarding.device_seq, reason), { quiet: true });
    setBusy(false);
    if (r.status === "ok") {
      setDiscarding(null);
      setReason("");
      toast.show("success", t("sync.discarded"));
      onChanged();
      return;
    }
    setError(fieldErrorOf(r.error)?.message ?? r.error.message);
  };

  return (
    <>
      <ul className="review-list">
        {changes.map((c) => (
          <li key={c.device_seq}>
            <article className="card review-item" aria-labelledby={`rejected-${c.device_seq}`}>
              <h3 id={`rejected-${c.device_seq}`}>{c.description}</h3>
              <p>
                <strong>{t("sync.serverSaid")}</strong> {c.reason}
              </p>
              <p className="muted">{t("sync.madeBy", { who: c.authored_by ?? t("sync.someone"), when: formatDateTime(c.authored_at) })}</p>
              {can("review_resolve") && (
                <div className="form-actions">
                  <Button onClick={() => void retry(c)}>{t("sync.retry")}</Button>
                  <Button variant="danger" onClick={() => setDiscarding(c)}>
                    {t("sync.discard")}
                  </Button>
                </div>
              )}
            </article>
          </li>
        ))}
      </ul>
      <Dialog
        open={discarding !== null}
        title={t("sync.discardTitle")}
        onClose={() => setDiscarding(null)}
        onSubmit={() => void discard()}
        actions={
          <>
            <Button onClick={() => setDiscarding(null)}>{t("common.cancel")}</Button>
            <Button type="submit" variant="danger" busy={busy}>
              {t("sync.discard")}
            </Button>
          </>
        }
      >
        <p>{t("sync.discardBody", { what: discarding?.description ?? "" })}</p>
        <TextField label={t("sync.discardReason")} field="discard_reason" value={reason} onChange={setReason} error={error} required />
      </Dialog>
    </>
  );
}
