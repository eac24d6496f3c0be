// Connecting this computer to the clinic server with a one-time code from an administrator of the server.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../../api";
import { Button } from "../../components/Button";
import { fieldId } from "../../components/fieldId";
import { TextField } from "../../components/TextField";
import { useToast } from "../../components/Toast";
import { errorFor, fieldErrorOf, type FieldError } from "../../errors";
import { useSession } from "../../session/SessionContext";

type Props = { defaultServer: string; onEnrolled: () => void };

export function EnrollForm({ defaultServer, onEnrolled }: Props) {
  const { t } = useTranslation();
  const { run } = useSession();
  const toast = useToast();
  const [server, setServer] = useState(defaultServer);
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState<FieldError>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const r = await run((s) => api.enrollDevice(s, server, code, name), { quiet: true });
    setBusy(false);
    if (r.status === "ok") {
      setCode("");
      toast.show("success", t("sync.enrolled", { clinic: r.data.clinic_name }));
      onEnrolled();
      return;
    }
    const fe = fieldErrorOf(r.error);
    if (fe) {
      setError(fe);
      document.getElementById(fieldId(fe.field))?.focus();
    } else {
      setError({ field: "code", message: r.error.message });
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="enroll-title">
      <h2 id="enroll-title">{t("sync.enrollTitle")}</h2>
      <p className="muted">{t("sync.enrollIntro")}</p>
      <TextField label={t("sync.serverUrl")} field="server_url" value={server} onChange={setServer} error={errorFor(error, "server_url")} hint={t("sync.serverUrlHint")} autoComplete="off" required />
      <TextField label={t("sync.code")} field="code" value={code} onChange={setCode} error={errorFor(error, "code")} hint={t("sync.codeHint")} autoComplete="off" required />
      <TextField label={t("sync.deviceName")} field="device_name" value={name} onChange={setName} error={errorFor(error, "device_name")} hint={t("sync.deviceNameHint")} autoComplete="off" required />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {t("sync.enroll")}
        </Button>
      </div>
    </form>
  );
}
