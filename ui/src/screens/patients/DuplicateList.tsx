// Look-alike patient records (from a duplicate check), each with an "Open this record" button.
import { useTranslation } from "react-i18next";
import type { PatientSummary } from "../../api";
import { Button } from "../../components/Button";
import { formatDate } from "../../format";

type Props = { items: PatientSummary[]; onOpen: (id: string) => void };

export function DuplicateList({ items, onOpen }: Props) {
  const { t } = useTranslation();
  return (
    <ul className="duplicate-list">
      {items.map((p) => (
        <li key={p.id} className="duplicate-item">
          <div className="duplicate-text">
            <p className="duplicate-name">{p.display_name}</p>
            <p className="muted">
              {[p.mrn, p.date_of_birth ? formatDate(p.date_of_birth) : t("patient.dobUnknown"), p.phone].filter(Boolean).join(" · ")}
            </p>
            <p className="duplicate-reason">{t(`matchKind.${p.match_kind}`)}</p>
          </div>
          <Button onClick={() => onOpen(p.id)} aria-label={t("duplicates.openNamed", { name: p.display_name, mrn: p.mrn })}>
            {t("duplicates.open")}
          </Button>
        </li>
      ))}
    </ul>
  );
}
