// Choosing a patient in a form: the patient search command as a combobox (type, arrow keys, Enter picks).
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type PatientSummary } from "../../api";
import { fieldId } from "../../components/fieldId";
import { formatDate } from "../../format";
import { useSession } from "../../session/SessionContext";
import { SEARCH_DEBOUNCE_MS } from "../patients/PatientListScreen";

export type PickedPatient = { id: string; name: string };

type Props = { field: string; label: string; value: PickedPatient | null; onChange: (p: PickedPatient | null) => void; error?: string | null };

export function PatientPicker({ field, label, value, onChange, error }: Props) {
  const { t } = useTranslation();
  const { run } = useSession();
  const [query, setQuery] = useState("");
  const [results, setResults] = useState<PatientSummary[]>([]);
  const [active, setActive] = useState(-1);
  const seq = useRef(0);
  const listId = useId();
  const id = fieldId(field);

  useEffect(() => {
    const mine = ++seq.current;
    if (query.trim() === "") {
      setResults([]);
      return;
    }
    const timer = window.setTimeout(() => {
      void run((s) => api.searchPatients(s, query, 8)).then((r) => {
        if (mine !== seq.current || r.status !== "ok") return;
        setResults(r.data);
        setActive(r.data.length ? 0 : -1);
      });
    }, SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [query, run]);

  const pick = (p: PatientSummary | undefined) => {
    if (!p) return;
    onChange({ id: p.id, name: p.display_name });
    setQuery("");
    setResults([]);
  };

  const describedBy = error ? `${id}-error` : undefined;
  return (
    <div className={`field patient-picker${error ? " field-invalid" : ""}`}>
      <label htmlFor={id}>
        {label}
        <span className="required-mark" aria-hidden="true"> *</span>
      </label>
      {value && (
        <p className="picked-patient">
          <strong data-testid="picked-patient">{value.name}</strong>{" "}
          <button type="button" className="link-button" onClick={() => onChange(null)}>
            {t("schedule.changePatient")}
          </button>
        </p>
      )}
      {!value && (
        <>
          <input
            id={id}
            role="combobox"
            aria-expanded={results.length > 0}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
            aria-required
            autoComplete="off"
            value={query}
            placeholder={t("schedule.patientSearchHint")}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "ArrowDown") {
                e.preventDefault();
                setActive((a) => Math.min(results.length - 1, a + 1));
              } else if (e.key === "ArrowUp") {
                e.preventDefault();
                setActive((a) => Math.max(0, a - 1));
              } else if (e.key === "Enter" && results.length > 0) {
                e.preventDefault();
                pick(results[active]);
              } else if (e.key === "Escape" && query) {
                e.stopPropagation();
                e.preventDefault();
                setQuery("");
              }
            }}
          />
          <ul id={listId} role="listbox" aria-label={t("schedule.matchingPatients")} className="picker-results" hidden={results.length === 0}>
            {results.map((p, i) => (
              <li key={p.id} id={`${listId}-${i}`} role="option" aria-selected={i === active} className={i === active ? "picker-active" : undefined} onMouseDown={(e) => e.preventDefault()} onClick={() => pick(p)}>
                <span>{p.display_name}</span> <span className="muted">{[p.mrn, p.date_of_birth ? formatDate(p.date_of_birth) : ""].filter(Boolean).join(" · ")}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
