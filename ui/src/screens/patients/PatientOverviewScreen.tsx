// One patient's record: alerts and allergies first, then demographics, contact, identifiers, insurance; appointments; edit, delete, merge.
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { api, type Patient } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Spinner } from "../../components/Spinner";
import { ageInYears, formatDate, formatDateTime } from "../../format";
import { useSession } from "../../session/SessionContext";
import { useNavigate } from "../routes";
import { PatientAppointmentsCard } from "../schedule/PatientAppointmentsCard";
import { DeletePatientDialog, MergePatientDialog } from "./PatientDialogs";

export function PatientOverviewScreen({ id }: { id: string }) {
  const { t } = useTranslation();
  const { run, can } = useSession();
  const navigate = useNavigate();
  const [patient, setPatient] = useState<Patient | null>(null);
  const [failed, setFailed] = useState(false);
  const [dialog, setDialog] = useState<"delete" | "merge" | null>(null);

  const load = useCallback(() => {
    void run((s) => api.getPatient(s, id)).then((r) => (r.status === "ok" ? setPatient(r.data) : setFailed(true)));
  }, [id, run]);
  useEffect(load, [load]);

  const title = patient ? `${patient.family_name}, ${patient.given_name}` : t("patient.overviewTitle");
  const active = patient && !patient.deleted_at && !patient.merged_into;
  const age = ageInYears(patient?.date_of_birth);

  return (
    <section className="page">
      <header className="page-header page-header-row">
        <div>
          <h1 tabIndex={-1} data-testid="patient-name">
            {title}
          </h1>
          {patient && (
            <p className="patient-meta">
              <span className="mrn-badge">{patient.mrn}</span>
              <span>{patient.date_of_birth ? formatDate(patient.date_of_birth) : t("patient.dobUnknown")}</span>
              {age !== null && <span>{t("patient.age", { count: age })}</span>}
              <span>{t(`sex.${patient.sex}`)}</span>
            </p>
          )}
        </div>
        <div className="page-actions">
          <Button onClick={() => navigate({ name: "patients" })}>{t("patient.backToList")}</Button>
          {active && can("patient_write") && (
            <Button variant="primary" onClick={() => navigate({ name: "patient-edit", id })}>
              {t("patient.edit")}
            </Button>
          )}
          {active && can("patient_merge") && <Button onClick={() => setDialog("merge")}>{t("merge.open")}</Button>}
          {active && can("patient_delete") && (
            <Button variant="danger" onClick={() => setDialog("delete")}>
              {t("delete.open")}
            </Button>
          )}
        </div>
      </header>

      {!patient && !failed && <Spinner label={t("common.loading")} />}
      {patient && <PatientDetails patient={patient} onOpen={(other) => navigate({ name: "patient", id: other })} />}
      {patient && can("appointment_read") && <PatientAppointmentsCard patientId={patient.id} patientName={title} canBook={Boolean(active) && can("appointment_write")} />}

      {patient && (
        <>
          <DeletePatientDialog
            open={dialog === "delete"}
            patient={patient}
            onClose={() => setDialog(null)}
            onDone={(p) => {
              setDialog(null);
              setPatient(p);
            }}
          />
          <MergePatientDialog
            open={dialog === "merge"}
            survivor={patient}
            onClose={() => setDialog(null)}
            onDone={(p) => {
              setDialog(null);
              setPatient(p);
            }}
          />
        </>
      )}
    </section>
  );
}

function PatientDetails({ patient: p, onOpen }: { patient: Patient; onOpen: (id: string) => void }) {
  const { t } = useTranslation();
  const address = [p.address.line1, p.address.line2, [p.address.postal_code, p.address.city].filter(Boolean).join(" "), p.address.region, p.address.country].filter(Boolean);
  const consents = (["email", "sms", "reminders"] as const).filter((k) => p.communication[k]).map((k) => t(`patient.comm.${k}`));
  return (
    <>
      {p.deleted_at && (
        <Banner kind="danger" title={t("patient.deletedTitle", { date: formatDateTime(p.deleted_at) })}>
          {p.deleted_reason}
        </Banner>
      )}
      {p.merged_into && (
        <Banner kind="warning" title={t("patient.mergedTitle")}>
          <Button onClick={() => onOpen(p.merged_into ?? "")}>{t("patient.openSurvivor")}</Button>
        </Banner>
      )}
      <div className="safety-strip" role="region" aria-label={t("patient.safetyLabel")}>
        <SafetyList title={t("patient.allergies")} items={p.allergies} none={t("patient.noAllergies")} kind="danger" />
        <SafetyList title={t("patient.alerts")} items={p.alerts} none={t("patient.noAlerts")} kind="warning" />
      </div>

      <div className="cards">
        <Card title={t("patient.sections.contact")}>
          <Dl
            rows={[
              [t("patient.phones"), p.phones.length ? p.phones.map((ph, i) => <div key={i}>{`${ph.number} (${t(`phoneKind.${ph.kind}`)})`}</div>) : null],
              [t("patient.email"), p.email],
              [t("patient.sections.address"), address.length ? address.map((l, i) => <div key={i}>{l}</div>) : null],
              [t("patient.preferredLanguage"), p.preferred_language],
              [t("patient.communication"), consents.length ? consents.join(", ") : t("patient.commNone")],
            ]}
          />
        </Card>
        <Card title={t("patient.sections.identity")}>
          <Dl
            rows={[
              [t("patient.givenName"), p.given_name],
              [t("patient.familyName"), p.family_name],
              [t("patient.otherNames"), p.other_names.length ? p.other_names.join(", ") : null],
              [t("patient.dateOfBirth"), p.date_of_birth ? formatDate(p.date_of_birth) : t("patient.dobUnknown")],
              [t("patient.sex"), t(`sex.${p.sex}`)],
            ]}
          />
        </Card>
        <Card title={t("patient.sections.identifiers")}>
          {p.identifiers.length === 0 ? (
            <p className="muted">{t("patient.noIdentifiers")}</p>
          ) : (
            <Dl rows={p.identifiers.map((x) => [t(`identifierKind.${x.kind}`, { defaultValue: x.kind }), x.value])} />
          )}
        </Card>
        <Card title={t("patient.sections.insurance")}>
          {p.insurance.length === 0 ? (
            <p className="muted">{t("patient.noInsurance")}</p>
          ) : (
            p.insurance.map((i, n) => (
              <Dl
                key={n}
                rows={[
                  [t("insurance.provider"), i.provider],
                  [t("insurance.policyNumber"), i.policy_number],
                  [t("insurance.coverage"), i.coverage_start || i.coverage_end ? `${formatDate(i.coverage_start) || "…"} – ${formatDate(i.coverage_end) || "…"}` : null],
                ]}
              />
            ))
          )}
        </Card>
        <Card title={t("patient.sections.emergencyContact")}>
          {p.emergency_contact ? (
            <Dl
              rows={[
                [t("emergency.name"), p.emergency_contact.name],
                [t("emergency.relationship"), p.emergency_contact.relationship],
                [t("emergency.phone"), p.emergency_contact.phone],
              ]}
            />
          ) : (
            <p className="muted">{t("patient.noEmergencyContact")}</p>
          )}
        </Card>
        <Card title={t("patient.sections.notes")}>{p.notes ? <p className="notes">{p.notes}</p> : <p className="muted">{t("patient.noNotes")}</p>}</Card>
      </div>
      <p className="muted record-info">{t("patient.recordInfo", { created: formatDateTime(p.created_at), updated: formatDateTime(p.updated_at) })}</p>
    </>
  );
}

function SafetyList({ title, items, none, kind }: { title: string; items: string[]; none: string; kind: "danger" | "warning" }) {
  return (
    <div className={`safety safety-${items.length ? kind : "none"}`}>
      <h2 className="safety-title">{title}</h2>
      {items.length ? (
        <ul className="safety-items">
          {items.map((a, i) => (
            <li key={i}>{a}</li>
          ))}
        </ul>
      ) : (
        <p>{none}</p>
      )}
    </div>
  );
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card">
      <h2 className="card-title">{title}</h2>
      {children}
    </section>
  );
}

function Dl({ rows }: { rows: [string, ReactNode][] }) {
  const { t } = useTranslation();
  return (
    <dl className="dl">
      {rows.map(([k, v], i) => (
        <div className="dl-row" key={i}>
          <dt>{k}</dt>
          <dd>{v === null || v === undefined || v === "" ? <span className="muted">{t("common.notRecorded")}</span> : v}</dd>
        </div>
      ))}
    </dl>
  );
}
