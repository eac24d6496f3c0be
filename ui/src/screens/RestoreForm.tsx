// Restoring a backup: an optional separate backup key, then the native file dialog (opened by the app).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Button } from "../components/Button";
import { TextField } from "../components/TextField";

type Props = { onRestore: (backupKey: string | null) => Promise<string | null>; busy: boolean };

export function RestoreForm({ onRestore, busy }: Props) {
  const { t } = useTranslation();
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(await onRestore(key.trim() === "" ? null : key.trim()));
  };
  return (
    <form onSubmit={submit} noValidate className="form">
      <TextField
        label={t("restore.keyLabel")}
        field="backup_key"
        value={key}
        onChange={setKey}
        hint={t("restore.keyHint")}
        error={error}
        className="field-mono"
        autoComplete="off"
        spellCheck={false}
      />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={busy}>
          {t("restore.choose")}
        </Button>
      </div>
    </form>
  );
}
