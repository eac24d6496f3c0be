// Freed time offered to waiting patients, first come first: reception books one or skips it (the entry keeps its place).
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type WaitlistOffer } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { useToast } from "../../components/Toast";
import { useSession } from "../../session/SessionContext";
import { formatLocal } from "./civil";
import type { ScheduleRefs } from "./useScheduleRefs";

type Props = { offers: WaitlistOffer[]; refs: ScheduleRefs; onClose: () => void; onBooked: () => void };

export function WaitlistOffersDialog({ offers, refs, onClose, onBooked }: Props) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const [left, setLeft] = useState<WaitlistOffer[]>(offers);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setLeft(offers);
    setError(null);
  }, [offers]);

  const who = (id: string) => refs.clinicians.find((c) => c.staff_id === id)?.display_name ?? "";
  const typeName = (id: string) => refs.types.find((x) => x.id === id)?.name ?? "";

  const book = async (o: WaitlistOffer) => {
    const r = await run((s) => api.bookFromWaitlist(s, o.entry_id, o.clinician_id, o.local_start.slice(0, 16), false), { quiet: true });
    if (r.status === "error") return setError(r.error.message);
    if (r.data.outcome === "needs_confirmation") return setError(r.data.value.map((c) => c.message).join(" "));
    toast.show("success", t("schedule.booked", { patient: o.patient_name, when: formatLocal(o.local_start) }));
    onBooked();
    onClose();
  };
  const skip = async (o: WaitlistOffer) => {
    const r = await run((s) => api.skipWaitlistOffer(s, o.entry_id));
    if (r.status === "ok") setLeft((all) => all.filter((x) => x.entry_id !== o.entry_id));
  };

  return (
    <Dialog open={offers.length > 0} title={t("schedule.offersTitle")} onClose={onClose} actions={<Button onClick={onClose}>{t("schedule.close")}</Button>}>
      <p>{t("schedule.offersIntro")}</p>
      {error && <Banner kind="danger" title={error} />}
      {left.length === 0 && <p className="muted">{t("schedule.offersNone")}</p>}
      <ol className="offer-list" aria-label={t("schedule.offersTitle")}>
        {left.map((o) => (
          <li key={o.entry_id} className="offer" aria-label={o.patient_name}>
            <div>
              <strong>{o.patient_name}</strong>
              <p className="muted">{t("schedule.offerDetail", { when: formatLocal(o.local_start), minutes: o.duration_minutes, who: who(o.clinician_id), type: typeName(o.type_id) })}</p>
            </div>
            <div className="row-actions">
              <Button variant="primary" onClick={() => void book(o)}>
                {t("schedule.offerBook")}
              </Button>
              <Button onClick={() => void skip(o)}>{t("schedule.offerSkip")}</Button>
            </div>
          </li>
        ))}
      </ol>
    </Dialog>
  );
}
