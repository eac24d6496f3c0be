// When the keychain's key no longer opens the database: type the recovery key from the paper sheet.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppStatus } from "../api";
import { Banner } from "../components/Banner";
import { Button } from "../components/Button";
import { TextField } from "../components/TextField";
import { useFocusOnMount } from "../components/useFocusOnMount";
import { errorTitle } from "../errors";
import { AuthLayout } from "./AuthLayout";

export function RecoveryKeyEntryScreen({ message, onStatus }: { message: string; onStatus: (s: AppStatus) => void }) {
  const { t } = useTranslation();
  const [key, setKey] = useState("");
  const [error, setError] = useState<{ title: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const r = await api.unlockWithRecoveryKey(key);
    setBusy(false);
    if (r.status === "ok") onStatus(r.data);
    else setError({ title: errorTitle(t, r.error.code), message: r.error.message });
  };

  return (
    <AuthLayout>
      <h1 ref={heading} tabIndex={-1}>
        {t("recoveryEntry.title")}
      </h1>
      <Banner kind="warning">{message}</Banner>
      <p>{t("recoveryEntry.intro")}</p>
      <form onSubmit={submit} noValidate className="form">
        <TextField
          label={t("recoveryEntry.label")}
          field="recovery_key"
          value={key}
          onChange={setKey}
          error={error ? `${error.title}: ${error.message}` : null}
          hint={t("recoveryEntry.hint")}
          className="field-mono"
          autoComplete="off"
          spellCheck={false}
          required
        />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy}>
            {t("recoveryEntry.submit")}
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}
