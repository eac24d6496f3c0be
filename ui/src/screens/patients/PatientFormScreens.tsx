// Registering a new patient (with the live and on-save duplicate warnings) and editing an existing one.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { api, type Patient, type PatientSummary } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { Spinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { fieldErrorOf } from "../../errors";
import { useSession } from "../../session/SessionContext";
import { useNavigate } from "../routes";
import { isoToTyped } from "../../dates";
import { useDateFormat } from "../../session/SessionContext";
import { draftFromForm, emptyForm, firstInvalidDate, formFromPatient, worthDuplicateCheck, type FormDraft } from "./draft";
import { DuplicateList } from "./DuplicateList";
import { PatientForm } from "./PatientForm";
import { usePatientFormState } from "./usePatientFormState";

/** Wait after the last keystroke before looking for look-alikes. */
const DUPLICATE_CHECK_DELAY_MS = 400;

function useLiveDuplicates(form: FormDraft, enabled: boolean): PatientSummary[] {
  const { run } = useSession();
  const [found, setFound] = useState<PatientSummary[]>([]);
  const seq = useRef(0);
  const key = JSON.stringify([form.given_name, form.family_name, form.date_of_birth, form.phones.map((p) => p.number), form.identifiers]);
  useEffect(() => {
    const mine = ++seq.current;
    if (!enabled || !worthDuplicateCheck(form)) {
      setFound([]);
      return;
    }
    const timer = window.setTimeout(() => {
      void run((s) => api.checkDuplicates(s, draftFromForm(form)), { quiet: true }).then((r) => {
        if (mine === seq.current && r.status === "ok") setFound(r.data);
      });
    }, DUPLICATE_CHECK_DELAY_MS);
    return () => window.clearTimeout(timer);
    // `key` captures the fields that matter; the whole form would re-check on every note keystroke.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, enabled, run]);
  return found;
}

export function PatientNewScreen() {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const state = usePatientFormState(emptyForm());
  const [busy, setBusy] = useState(false);
  const [dialogDuplicates, setDialogDuplicates] = useState<PatientSummary[] | null>(null);
  const live = useLiveDuplicates(state.form, true);

  const save = async (confirmNotDuplicate: boolean) => {
    state.clearErrors();
    setBusy(true);
    const r = await run((s) => api.registerPatient(s, draftFromForm(state.form), confirmNotDuplicate));
    setBusy(false);
    if (r.status === "error") {
      const fe = fieldErrorOf(r.error);
      if (fe) state.showFieldError(fe);
      return;
    }
    if (r.data.outcome === "possible_duplicates") {
      setDialogDuplicates(r.data.value);
      return;
    }
    setDialogDuplicates(null);
    toast.show("success", t("patient.registered"), t("patient.registeredMrn", { mrn: r.data.value.mrn }));
    navigate({ name: "patient", id: r.data.value.id });
  };

  return (
    <section className="page">
      <header className="page-header">
        <h1 tabIndex={-1}>{t("patient.newTitle")}</h1>
      </header>
      <FormBody
        state={state}
        busy={busy}
        submitLabel={t("patient.register")}
        onSubmit={() => void save(false)}
        onCancel={() => navigate({ name: "patients" })}
        above={
          live.length > 0 && (
            <Banner kind="warning" title={t("duplicates.liveTitle")} className="duplicate-banner">
              <p>{t("duplicates.liveBody")}</p>
              <DuplicateList items={live} onOpen={(id) => navigate({ name: "patient", id })} />
            </Banner>
          )
        }
      />
      <Dialog
        open={dialogDuplicates !== null}
        title={t("duplicates.dialogTitle")}
        onClose={() => setDialogDuplicates(null)}
        actions={
          <>
            <Button onClick={() => setDialogDuplicates(null)}>{t("duplicates.goBack")}</Button>
            <Button variant="primary" busy={busy} onClick={() => void save(true)}>
              {t("duplicates.registerAnyway")}
            </Button>
          </>
        }
      >
        <p>{t("duplicates.dialogBody")}</p>
        <DuplicateList items={dialogDuplicates ?? []} onOpen={(id) => navigate({ name: "patient", id })} />
      </Dialog>
    </section>
  );
}

export function PatientEditScreen({ id }: { id: string }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const navigate = useNavigate();
  const [patient, setPatient] = useState<Patient | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    void run((s) => api.getPatient(s, id)).then((r) => (r.status === "ok" ? setPatient(r.data) : setFailed(true)));
  }, [id, run]);

  return (
    <section className="page">
      <header className="page-header">
        <h1 tabIndex={-1}>{patient ? t("patient.editTitleNamed", { name: `${patient.family_name}, ${patient.given_name}` }) : t("patient.editTitle")}</h1>
        {patient && <p className="muted">{t("patient.mrnLabel", { mrn: patient.mrn })}</p>}
      </header>
      {!patient && !failed && <Spinner label={t("common.loading")} />}
      {failed && (
        <Button onClick={() => navigate({ name: "patients" })}>{t("patient.backToList")}</Button>
      )}
      {patient && <EditForm patient={patient} />}
    </section>
  );
}

function EditForm({ patient }: { patient: Patient }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const state = usePatientFormState(formFromPatient(patient));
  const [busy, setBusy] = useState(false);

  const save = async () => {
    state.clearErrors();
    setBusy(true);
    const r = await run((s) => api.updatePatient(s, patient.id, patient.row_version ?? 0, draftFromForm(state.form)));
    setBusy(false);
    if (r.status === "ok") {
      toast.show("success", t("patient.saved"));
      navigate({ name: "patient", id: patient.id });
      return;
    }
    const fe = fieldErrorOf(r.error);
    if (fe) state.showFieldError(fe);
  };

  return (
    <FormBody
      state={state}
      busy={busy}
      submitLabel={t("patient.saveChanges")}
      onSubmit={() => void save()}
      onCancel={() => navigate({ name: "patient", id: patient.id })}
    />
  );
}

type BodyProps = {
  state: ReturnType<typeof usePatientFormState>;
  busy: boolean;
  submitLabel: string;
  onSubmit: () => void;
  onCancel: () => void;
  above?: ReactNode;
};

function FormBody({ state, busy, submitLabel, onSubmit, onCancel, above }: BodyProps) {
  const { t } = useTranslation();
  const dateFormat = useDateFormat();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const badDate = firstInvalidDate(state.form);
    if (badDate) {
      const pattern = t(`dates.pattern.${dateFormat}`);
      state.showFieldError({ field: badDate, message: t("dates.invalid", { pattern, example: isoToTyped("1980-12-31", dateFormat) }) });
      return;
    }
    onSubmit();
  };
  return (
    <form className="form patient-form" onSubmit={submit} noValidate aria-describedby="required-note">
      <p id="required-note" className="muted">
        {t("common.requiredNote")}
      </p>
      {state.orphanError && <Banner kind="danger" title={t("errors.validation")}>{state.orphanError}</Banner>}
      {above}
      <PatientForm form={state.form} update={state.update} err={state.err} />
      <div className="form-actions sticky-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {submitLabel}
        </Button>
        <Button onClick={onCancel}>{t("common.cancel")}</Button>
      </div>
    </form>
  );
}
