// Dialogs on the patient overview: delete a record (with a reason) and merge a duplicate into this record.
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Patient, type PatientSummary } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { formatDate } from "../../format";
import { useSession } from "../../session/SessionContext";

type DeleteProps = { open: boolean; patient: Patient; onClose: () => void; onDone: (p: Patient) => void };

export function DeletePatientDialog({ open, patient, onClose, onDone }: DeleteProps) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    setBusy(true);
    const r = await run((s) => api.deletePatient(s, patient.id, reason));
    setBusy(false);
    if (r.status === "ok") {
      toast.show("success", t("delete.done"));
      setReason("");
      onDone(r.data);
    } else if (r.error.code === "validation") setError(r.error.message);
  };

  return (
    <Dialog
      open={open}
      title={t("delete.title", { name: `${patient.family_name}, ${patient.given_name}` })}
      onClose={onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="danger" busy={busy}>
            {t("delete.confirm")}
          </Button>
        </>
      }
    >
      <p>{t("delete.body")}</p>
      <TextField label={t("delete.reason")} field="reason" value={reason} onChange={setReason} error={error} multiline required />
    </Dialog>
  );
}

type MergeProps = { open: boolean; survivor: Patient; onClose: () => void; onDone: (p: Patient) => void };

export function MergePatientDialog({ open, survivor, onClose, onDone }: MergeProps) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<PatientSummary[]>([]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const seq = useRef(0);

  useEffect(() => {
    const mine = ++seq.current;
    if (!open || query.trim() === "") {
      setResults([]);
      return;
    }
    const timer = window.setTimeout(() => {
      void run((s) => api.searchPatients(s, query, 20)).then((r) => {
        if (mine === seq.current && r.status === "ok") setResults(r.data.filter((p) => p.id !== survivor.id));
      });
    }, 150);
    return () => window.clearTimeout(timer);
  }, [query, open, run, survivor.id]);

  const submit = async () => {
    if (!chosen) {
      setError({ field: "duplicate", message: t("merge.chooseFirst") });
      return;
    }
    setBusy(true);
    const r = await run((s) => api.mergePatients(s, survivor.id, chosen, reason));
    setBusy(false);
    if (r.status === "ok") {
      toast.show("success", t("merge.done"));
      onDone(r.data);
    } else if (r.error.code === "validation") setError({ field: r.error.field ?? null, message: r.error.message });
  };

  return (
    <Dialog
      open={open}
      title={t("merge.title")}
      onClose={onClose}
      onSubmit={() => void submit()}
      actions={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {t("merge.confirm")}
          </Button>
        </>
      }
    >
      <p>{t("merge.body", { name: `${survivor.family_name}, ${survivor.given_name}`, mrn: survivor.mrn })}</p>
      <TextField
        label={t("merge.search")}
        field="merge_search"
        type="search"
        value={query}
        onChange={setQuery}
        autoComplete="off"
        onKeyDown={(e) => {
          // Enter searches here; it must not submit the merge.
          if (e.key === "Enter") e.preventDefault();
        }}
      />
      <fieldset className="merge-choices">
        <legend>{t("merge.duplicate")}</legend>
        {results.length === 0 && <p className="muted">{t("merge.noneYet")}</p>}
        {results.map((p) => (
          <div className="radio" key={p.id}>
            <input type="radio" id={`merge-${p.id}`} name="merge-duplicate" value={p.id} checked={chosen === p.id} onChange={() => setChosen(p.id)} />
            <label htmlFor={`merge-${p.id}`}>
              {p.display_name} · {p.mrn} · {p.date_of_birth ? formatDate(p.date_of_birth) : t("patient.dobUnknown")}
            </label>
          </div>
        ))}
      </fieldset>
      {error && error.field !== "reason" && <Banner kind="danger">{error.message}</Banner>}
      <TextField label={t("merge.reason")} field="reason" value={reason} onChange={setReason} error={error?.field === "reason" ? error.message : null} multiline required />
    </Dialog>
  );
}
