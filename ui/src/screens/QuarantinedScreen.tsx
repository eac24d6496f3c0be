// The database was damaged and set aside: explain, and restore the latest backup.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppStatus } from "../api";
import { Banner } from "../components/Banner";
import { useFocusOnMount } from "../components/useFocusOnMount";
import { errorTitle } from "../errors";
import { AuthLayout } from "./AuthLayout";
import { RestoreForm } from "./RestoreForm";

export function QuarantinedScreen({ message, onStatus }: { message: string; onStatus: (s: AppStatus) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const restore = async (key: string | null) => {
    setBusy(true);
    const r = await api.restoreBackup(null, key);
    setBusy(false);
    if (r.status === "ok") {
      if (r.data) onStatus(r.data); // null: the file dialog was cancelled
      return null;
    }
    return `${errorTitle(t, r.error.code)}: ${r.error.message}`;
  };
  return (
    <AuthLayout>
      <h1 ref={heading} tabIndex={-1}>
        {t("quarantined.title")}
      </h1>
      <Banner kind="danger">{message}</Banner>
      <p>{t("quarantined.help")}</p>
      <RestoreForm onRestore={restore} busy={busy} />
    </AuthLayout>
  );
}
