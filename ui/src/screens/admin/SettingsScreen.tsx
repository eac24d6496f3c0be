// Clinic settings (administrators): details, time zone, currency, date format and the idle lock.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, type ClinicSettings } from "../../api";
import { Button } from "../../components/Button";
import { fieldId } from "../../components/fieldId";
import { Spinner } from "../../components/Spinner";
import { useToast } from "../../components/Toast";
import { fieldErrorOf, type FieldError } from "../../errors";
import { useSession } from "../../session/SessionContext";
import { ClinicFields } from "../ClinicFields";

export function SettingsScreen() {
  const { t } = useTranslation();
  const { run, settings: current, setSettings: publish } = useSession();
  const toast = useToast();
  const [settings, setSettings] = useState<ClinicSettings | null>(current);
  const [fieldError, setFieldError] = useState<FieldError>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void run((s) => api.getSettings(s)).then((r) => r.status === "ok" && setSettings(r.data));
  }, [run]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!settings) return;
    setBusy(true);
    setFieldError(null);
    const r = await run((s) => api.updateSettings(s, settings));
    setBusy(false);
    if (r.status === "ok") {
      setSettings(r.data);
      publish(r.data);
      toast.show("success", t("settings.saved"));
      return;
    }
    const fe = fieldErrorOf(r.error);
    setFieldError(fe);
    if (fe) window.setTimeout(() => document.getElementById(fieldId(fe.field))?.focus(), 0);
  };

  return (
    <section className="page">
      <header className="page-header">
        <h1 tabIndex={-1}>{t("settings.title")}</h1>
      </header>
      {!settings && <Spinner label={t("common.loading")} />}
      {settings && (
        <form onSubmit={submit} noValidate className="form form-narrow">
          <ClinicFields settings={settings} onChange={setSettings} fieldError={fieldError} codeEditable={false} />
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={busy}>
              {t("settings.save")}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
