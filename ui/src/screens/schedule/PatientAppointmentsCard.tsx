// A patient's appointments on their page: upcoming (soonest first) and past (latest first), with "Book".
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppointmentCard, type PatientAppointments } from "../../api";
import { Button } from "../../components/Button";
import { useSession } from "../../session/SessionContext";
import { useNavigate } from "../routes";
import { formatLocal } from "./civil";

export function PatientAppointmentsCard({ patientId, patientName, canBook }: { patientId: string; patientName: string; canBook: boolean }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const navigate = useNavigate();
  const [data, setData] = useState<PatientAppointments | null>(null);
  useEffect(() => {
    void run((s) => api.patientAppointments(s, patientId), { quiet: true }).then((r) => r.status === "ok" && setData(r.data));
  }, [run, patientId]);

  const list = (cards: AppointmentCard[], label: string) => (
    <ul className="appointment-list" aria-label={label}>
      {cards.map((c) => (
        <li key={c.id}>
          <span className="type-swatch" style={{ backgroundColor: c.colour }} aria-hidden="true" />
          <span>{formatLocal(c.local_start)}</span> <span>{c.type_name}</span> <span className="muted">{c.clinician_name}</span>{" "}
          <span className={`status-marker status-${c.status}`}>{t(`schedule.status.${c.status}`)}</span>
        </li>
      ))}
    </ul>
  );
  return (
    <section className="card patient-appointments">
      <div className="card-title-row">
        <h2 className="card-title">{t("schedule.patientAppointments")}</h2>
        {canBook && (
          <Button variant="primary" onClick={() => navigate({ name: "schedule", bookFor: { id: patientId, name: patientName } })}>
            {t("schedule.bookForPatient")}
          </Button>
        )}
      </div>
      {data && (
        <>
          <h3 className="card-subtitle">{t("schedule.upcoming")}</h3>
          {data.upcoming.length ? list(data.upcoming, t("schedule.upcoming")) : <p className="muted">{t("schedule.noUpcoming")}</p>}
          <h3 className="card-subtitle">{t("schedule.past")}</h3>
          {data.past.length ? list(data.past.slice(0, 10), t("schedule.past")) : <p className="muted">{t("schedule.noPast")}</p>}
        </>
      )}
    </section>
  );
}
