// Joining a clinic that already syncs with a server: a one-time code instead of first-run setup.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppStatus } from "../api";
import { Banner } from "../components/Banner";
import { Button } from "../components/Button";
import { fieldId } from "../components/fieldId";
import { TextField } from "../components/TextField";
import { errorFor, errorTitle, fieldErrorOf, type FieldError } from "../errors";

type Props = { onJoined: (recoveryKey: string, status: AppStatus) => void };

export function JoinForm({ onJoined }: Props) {
  const { t } = useTranslation();
  const [server, setServer] = useState("https://");
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [deviceCode, setDeviceCode] = useState("D02");
  const [fieldError, setFieldError] = useState<FieldError>(null);
  const [formError, setFormError] = useState<{ title: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFieldError(null);
    setFormError(null);
    setBusy(true);
    const r = await api.joinClinic(server, code, name, deviceCode);
    setBusy(false);
    if (r.status === "ok") {
      onJoined(r.data.recovery_key, r.data.status);
      return;
    }
    const fe = fieldErrorOf(r.error);
    if (fe) {
      setFieldError(fe);
      window.setTimeout(() => document.getElementById(fieldId(fe.field))?.focus(), 0);
    } else setFormError({ title: errorTitle(t, r.error.code), message: r.error.message });
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label={t("join.title")}>
      {formError && <Banner kind="danger" title={formError.title}>{formError.message}</Banner>}
      <TextField label={t("sync.serverUrl")} field="server_url" value={server} onChange={setServer} error={errorFor(fieldError, "server_url")} hint={t("sync.serverUrlHint")} autoComplete="off" required />
      <TextField label={t("sync.code")} field="code" value={code} onChange={setCode} error={errorFor(fieldError, "code")} hint={t("sync.codeHint")} autoComplete="off" required />
      <div className="grid-2">
        <TextField label={t("sync.deviceName")} field="device_name" value={name} onChange={setName} error={errorFor(fieldError, "device_name")} hint={t("sync.deviceNameHint")} autoComplete="off" required />
        <TextField label={t("setup.deviceCode")} field="device_code" value={deviceCode} onChange={setDeviceCode} error={errorFor(fieldError, "device_code")} hint={t("join.deviceCodeHint")} required className="field-short" />
      </div>
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {t("join.submit")}
        </Button>
      </div>
    </form>
  );
}
