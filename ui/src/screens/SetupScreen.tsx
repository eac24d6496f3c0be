// First-run setup: the clinic's details and policies, this device's code, and the first administrator.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppStatus, type ClinicSettings, type DateFormat } from "../api";
import { Banner } from "../components/Banner";
import { Button } from "../components/Button";
import { fieldId } from "../components/fieldId";
import { TextField } from "../components/TextField";
import { useFocusOnMount } from "../components/useFocusOnMount";
import { errorFor, errorTitle, fieldErrorOf, type FieldError } from "../errors";
import { AuthLayout } from "./AuthLayout";
import { ClinicFields } from "./ClinicFields";
import { JoinForm } from "./JoinForm";
import { RestoreForm } from "./RestoreForm";

export function defaultSettings(): ClinicSettings {
  return {
    name: "",
    code: "",
    address: "",
    time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    currency: "EUR",
    invoice_prefix: "INV",
    date_format: "DMY" as DateFormat,
    idle_lock_minutes: 10,
  };
}

type Props = { onDone: (recoveryKey: string) => void; onStatus: (s: AppStatus) => void };

export function SetupScreen({ onDone, onStatus }: Props) {
  const { t } = useTranslation();
  const [settings, setSettings] = useState<ClinicSettings>(defaultSettings);
  const [deviceCode, setDeviceCode] = useState("D01");
  const [username, setUsername] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [fieldError, setFieldError] = useState<FieldError>(null);
  const [formError, setFormError] = useState<{ title: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [restoring, setRestoring] = useState(false);
  const [restoreBusy, setRestoreBusy] = useState(false);
  const [joining, setJoining] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const err = (f: string) => errorFor(fieldError, f);

  const showFieldError = (error: FieldError) => {
    setFieldError(error);
    if (error) window.setTimeout(() => document.getElementById(fieldId(error.field))?.focus(), 0);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    if (password !== confirm) {
      showFieldError({ field: "password_confirmation", message: t("setup.passwordsDiffer") });
      return;
    }
    setBusy(true);
    const r = await api.setupClinic(settings, { username, display_name: displayName, password }, deviceCode);
    setBusy(false);
    if (r.status === "ok") {
      onDone(r.data.recovery_key);
      return;
    }
    const fe = fieldErrorOf(r.error);
    if (fe) showFieldError(fe);
    else setFormError({ title: errorTitle(t, r.error.code), message: r.error.message });
  };

  const restore = async (key: string | null) => {
    setRestoreBusy(true);
    const r = await api.restoreBackup(null, key);
    setRestoreBusy(false);
    if (r.status === "ok") {
      if (r.data) onStatus(r.data); // null: the file dialog was cancelled
      return null;
    }
    return `${errorTitle(t, r.error.code)}: ${r.error.message}`;
  };

  return (
    <AuthLayout wide>
      <h1 ref={heading} tabIndex={-1}>
        {t("setup.title")}
      </h1>
      <p className="lead">{t("setup.intro")}</p>
      <section className="restore-instead" aria-labelledby="join-instead-title">
        <h2 id="join-instead-title">{t("join.title")}</h2>
        {joining ? (
          <JoinForm onJoined={(key) => onDone(key)} />
        ) : (
          <>
            <p className="muted">{t("join.body")}</p>
            <Button onClick={() => setJoining(true)}>{t("join.open")}</Button>
          </>
        )}
      </section>
      <section className="restore-instead" aria-labelledby="restore-instead-title">
        <h2 id="restore-instead-title">{t("setup.restoreTitle")}</h2>
        {restoring ? (
          <RestoreForm onRestore={restore} busy={restoreBusy} />
        ) : (
          <>
            <p className="muted">{t("setup.restoreBody")}</p>
            <Button onClick={() => setRestoring(true)}>{t("setup.restoreOpen")}</Button>
          </>
        )}
      </section>
      {formError && <Banner kind="danger" title={formError.title}>{formError.message}</Banner>}
      <form onSubmit={submit} noValidate className="form">
        <fieldset>
          <legend>{t("setup.clinicSection")}</legend>
          <ClinicFields settings={settings} onChange={setSettings} fieldError={fieldError} codeEditable />
          <TextField
            label={t("setup.deviceCode")}
            field="device_code"
            value={deviceCode}
            onChange={setDeviceCode}
            hint={t("setup.deviceCodeHint")}
            error={err("device_code")}
            required
            className="field-short"
          />
        </fieldset>
        <fieldset>
          <legend>{t("setup.adminSection")}</legend>
          <p className="muted">{t("setup.adminNote")}</p>
          <div className="grid-2">
            <TextField label={t("staff.username")} field="username" value={username} onChange={setUsername} error={err("username")} autoComplete="username" required />
            <TextField label={t("staff.displayName")} field="display_name" value={displayName} onChange={setDisplayName} error={err("display_name")} autoComplete="name" required />
            <TextField
              label={t("staff.password")}
              field="password"
              type="password"
              value={password}
              onChange={setPassword}
              error={err("password")}
              hint={t("staff.passwordHint")}
              autoComplete="new-password"
              required
            />
            <TextField
              label={t("setup.passwordConfirmation")}
              field="password_confirmation"
              type="password"
              value={confirm}
              onChange={setConfirm}
              error={err("password_confirmation")}
              autoComplete="new-password"
              required
            />
          </div>
        </fieldset>
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy}>
            {t("setup.submit")}
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}
