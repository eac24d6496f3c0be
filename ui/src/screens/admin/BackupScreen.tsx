// Backups (administrators): make an encrypted backup (optionally with a new key, shown once), restore one, print the recovery sheet.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type BackupDone } from "../../api";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Checkbox } from "../../components/Checkbox";
import { RecoveryKeyGroups } from "../../components/RecoveryKeyGroups";
import { useToast } from "../../components/Toast";
import { formatBytes } from "../../format";
import { useSession } from "../../session/SessionContext";
import { RestoreForm } from "../RestoreForm";

export function BackupScreen() {
  const { t } = useTranslation();
  const { run, signOut } = useSession();
  const toast = useToast();
  const [newKey, setNewKey] = useState(false);
  const [busy, setBusy] = useState<"backup" | "restore" | "sheet" | null>(null);
  const [done, setDone] = useState<BackupDone | null>(null);

  const backup = async () => {
    setBusy("backup");
    setDone(null);
    const r = await run((s) => api.createBackup(s, newKey));
    setBusy(null);
    if (r.status === "ok" && r.data) {
      setDone(r.data);
      toast.show("success", t("backup.done"), r.data.path);
    }
  };

  const sheet = async () => {
    setBusy("sheet");
    const r = await run((s) => api.exportRecoverySheet(s));
    setBusy(null);
    if (r.status === "ok" && r.data) toast.show("success", t("backup.sheetSaved"), r.data);
  };

  const restore = async (key: string | null) => {
    setBusy("restore");
    const r = await run((s) => api.restoreBackup(s, key), { quiet: true });
    setBusy(null);
    if (r.status === "ok") {
      if (!r.data) return null; // the file dialog was cancelled
      toast.show("success", t("restore.done"));
      // The database under the session was replaced: everyone signs in again.
      signOut();
      return null;
    }
    return r.error.message;
  };

  return (
    <section className="page">
      <header className="page-header">
        <h1 tabIndex={-1}>{t("backup.title")}</h1>
      </header>
      <div className="cards cards-wide">
        <section className="card">
          <h2 className="card-title">{t("backup.makeTitle")}</h2>
          <p>{t("backup.makeBody")}</p>
          <Checkbox field="backup_new_key" label={t("backup.newKey")} checked={newKey} onChange={setNewKey} />
          <p className="field-hint">{t("backup.newKeyHint")}</p>
          <div className="form-actions">
            <Button variant="primary" busy={busy === "backup"} onClick={() => void backup()}>
              {t("backup.make")}
            </Button>
          </div>
          {done && (
            <Banner kind="success" title={t("backup.doneTitle")}>
              <p>{t("backup.doneBody", { path: done.path, size: formatBytes(done.bytes ?? 0) })}</p>
              {done.backup_key && (
                <>
                  <p className="strong">{t("backup.keyOnce")}</p>
                  <RecoveryKeyGroups value={done.backup_key} label={t("backup.keyLabel")} />
                </>
              )}
            </Banner>
          )}
        </section>
        <section className="card">
          <h2 className="card-title">{t("backup.sheetTitle")}</h2>
          <p>{t("backup.sheetBody")}</p>
          <Button busy={busy === "sheet"} onClick={() => void sheet()}>
            {t("backup.sheet")}
          </Button>
        </section>
        <section className="card">
          <h2 className="card-title">{t("restore.title")}</h2>
          <Banner kind="warning">{t("restore.warning")}</Banner>
          <RestoreForm onRestore={restore} busy={busy === "restore"} />
        </section>
      </div>
    </section>
  );
}
