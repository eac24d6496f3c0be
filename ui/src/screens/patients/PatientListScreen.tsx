// Finding patients: search as you type (debounced, stale answers dropped), arrow keys + Enter to open, Escape to clear.
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, type PatientSummary } from "../../api";
import { Button } from "../../components/Button";
import { Spinner, useDelayedBusy } from "../../components/Spinner";
import { formatDate } from "../../format";
import { useSession } from "../../session/SessionContext";
import { useNavigate } from "../routes";

/** Wait after a keystroke before searching (typing fast sends fewer searches). */
export const SEARCH_DEBOUNCE_MS = 120;
const SEARCH_LIMIT = 50;

type Props = { query: string; setQuery: (q: string) => void };

export function PatientListScreen({ query, setQuery }: Props) {
  const { t } = useTranslation();
  const { run, can } = useSession();
  const navigate = useNavigate();
  const [results, setResults] = useState<PatientSummary[]>([]);
  const [searchedFor, setSearchedFor] = useState("");
  const [active, setActive] = useState(-1);
  const [searching, setSearching] = useState(false);
  const showSpinner = useDelayedBusy(searching);
  const seq = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();

  useEffect(() => {
    input.current?.focus();
  }, []);

  useEffect(() => {
    const mine = ++seq.current;
    if (query.trim() === "") {
      setResults([]);
      setSearchedFor("");
      setSearching(false);
      setActive(-1);
      return;
    }
    setSearching(true);
    const timer = window.setTimeout(() => {
      void run((s) => api.searchPatients(s, query, SEARCH_LIMIT)).then((r) => {
        if (mine !== seq.current) return; // a newer keystroke has its own search
        setSearching(false);
        if (r.status === "ok") {
          setResults(r.data);
          setSearchedFor(query);
          setActive(r.data.length > 0 ? 0 : -1);
        }
      });
    }, SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [query, run]);

  const open = (p: PatientSummary | undefined) => {
    if (p) navigate({ name: "patient", id: p.id });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      setActive((i) => Math.min(results.length - 1, i + 1));
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((i) => Math.max(0, i - 1));
    } else if (e.key === "Home" && e.ctrlKey) {
      setActive(results.length > 0 ? 0 : -1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      open(results[active]);
    } else if (e.key === "Escape") {
      e.preventDefault();
      setQuery("");
    }
  };

  const optionId = (i: number) => `${listId}-option-${i}`;
  const expanded = results.length > 0;
  const nothingFound = searchedFor !== "" && searchedFor === query && results.length === 0 && !searching;

  return (
    <section className="page">
      <header className="page-header page-header-row">
        <h1 tabIndex={-1}>{t("patients.title")}</h1>
        {can("patient_write") && (
          <Button variant="primary" onClick={() => navigate({ name: "patient-new" })}>
            {t("nav.newPatient")}
          </Button>
        )}
      </header>
      <div className="search-box">
        <label htmlFor="patient-search" className="search-label">
          {t("patients.searchLabel")}
        </label>
        <div className="search-input-row">
          <input
            ref={input}
            id="patient-search"
            type="search"
            role="combobox"
            aria-expanded={expanded}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={active >= 0 && expanded ? optionId(active) : undefined}
            aria-describedby="patient-search-hint"
            autoComplete="off"
            spellCheck={false}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <span className="search-spinner">{showSpinner && <Spinner size="small" label={t("patients.searching")} />}</span>
        </div>
        <p id="patient-search-hint" className="field-hint">
          {t("patients.searchHint")}
        </p>
      </div>

      <div className="results-header" aria-hidden="true" hidden={!expanded}>
        <span>{t("patients.colName")}</span>
        <span>{t("patients.colMrn")}</span>
        <span>{t("patients.colDob")}</span>
        <span>{t("patients.colPhone")}</span>
      </div>
      {/* aria-busy: a search for the current text is under way (scripts/bench-app also times its end). */}
      <ul id={listId} role="listbox" aria-label={t("patients.resultsLabel")} aria-busy={searching} className="results" hidden={!expanded}>
        {results.map((p, i) => (
          <li
            key={p.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={`result${i === active ? " result-active" : ""}`}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => open(p)}
            onMouseEnter={() => setActive(i)}
          >
            <span className="result-name">{p.display_name}</span>
            <span className="result-mrn">{p.mrn}</span>
            <span>{p.date_of_birth ? formatDate(p.date_of_birth) : t("patient.dobUnknown")}</span>
            <span>{p.phone ?? ""}</span>
          </li>
        ))}
      </ul>
      <p className="results-status" role="status" aria-live="polite">
        {expanded
          ? t("patients.resultCount", { count: results.length })
          : nothingFound
            ? t("patients.noMatch", { query: searchedFor })
            : query.trim() === ""
              ? t("patients.emptyPrompt")
              : ""}
      </p>
    </section>
  );
}
