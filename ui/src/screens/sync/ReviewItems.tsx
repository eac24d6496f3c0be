// Review items: clashes sync could not settle alone, each with what clashed and a way to resolve or dismiss it.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type ReviewDecision, type ReviewItem } from "../../api";
import { Button } from "../../components/Button";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { fieldErrorOf } from "../../errors";
import { formatDateTime } from "../../format";
import { useSession } from "../../session/SessionContext";
import { useNavigate } from "../routes";

type Props = { items: ReviewItem[]; onChanged: () => void };

export function ReviewItems({ items, onChanged }: Props) {
  const { t } = useTranslation();
  if (items.length === 0) return <p className="muted">{t("sync.noReviewItems")}</p>;
  return (
    <ul className="review-list">
      {items.map((item) => (
        <li key={item.id}>
          <ReviewItemCard item={item} onChanged={onChanged} />
        </li>
      ))}
    </ul>
  );
}

function ReviewItemCard({ item, onChanged }: { item: ReviewItem; onChanged: () => void }) {
  const { t } = useTranslation();
  const { run, can } = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const [resolution, setResolution] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<ReviewDecision | null>(null);
  const field = `resolution-${item.id}`;

  const decide = async (decision: ReviewDecision) => {
    setError(null);
    setBusy(decision);
    const r = await run((s) => api.resolveReviewItem(s, item.id, decision, resolution), { quiet: true });
    setBusy(null);
    if (r.status === "ok") {
      toast.show("success", t(decision === "resolved" ? "sync.itemResolved" : "sync.itemDismissed"));
      onChanged();
      return;
    }
    setError(fieldErrorOf(r.error)?.message ?? r.error.message);
  };

  const titleId = `review-${item.id}`;
  return (
    <article className="card review-item" aria-labelledby={titleId}>
      <h3 id={titleId}>{t(`sync.kind.${item.kind}`)}</h3>
      <p className="muted">{t(`sync.kindHelp.${item.kind}`)}</p>
      <ul className="review-records">
        {item.records.map((r) => (
          <li key={r.id}>
            {r.display_name ? (
              <Button variant="ghost" onClick={() => navigate({ name: "patient", id: r.id })}>
                {t("sync.openRecord", { name: r.display_name, mrn: r.mrn ?? "" })}
              </Button>
            ) : (
              <span className="muted">{t("sync.recordNotHere")}</span>
            )}
          </li>
        ))}
      </ul>
      {item.fields.length > 0 && (
        <table className="table table-dense">
          <caption className="visually-hidden">{t("sync.clashCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("sync.field")}</th>
              <th scope="col">{t("sync.before")}</th>
              <th scope="col">{t("sync.theirs")}</th>
              <th scope="col">{t("sync.ours")}</th>
              <th scope="col">{t("sync.kept")}</th>
            </tr>
          </thead>
          <tbody>
            {item.fields.map((f) => (
              <tr key={f.field}>
                <th scope="row">{t(`sync.fieldName.${f.field}`, { defaultValue: f.field })}</th>
                <td>{f.base}</td>
                <td>{f.theirs}</td>
                <td>{f.ours}</td>
                <td>
                  <strong>{f.kept}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {item.status === "open" && can("review_resolve") && (
        <div className="review-actions">
          <TextField label={t("sync.resolution")} field={field} value={resolution} onChange={setResolution} error={error} hint={t("sync.resolutionHint")} multiline />
          <div className="form-actions">
            <Button variant="primary" busy={busy === "resolved"} onClick={() => void decide("resolved")}>
              {t("sync.markResolved")}
            </Button>
            <Button busy={busy === "dismissed"} onClick={() => void decide("dismissed")}>
              {t("sync.dismiss")}
            </Button>
          </div>
        </div>
      )}
      {item.status !== "open" && (
        <p>
          {t(`sync.closed.${item.status}`, { who: item.resolved_by ?? t("sync.someone"), when: formatDateTime(item.updated_at) })} {item.resolution}
          {item.resolution_pending && <span className="muted"> {t("sync.resolutionPending")}</span>}
        </p>
      )}
    </article>
  );
}
