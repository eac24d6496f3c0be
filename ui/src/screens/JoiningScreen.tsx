// A computer that joined a clinic, while the clinic's records download: progress, the reason if it stopped, retry.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppStatus, type SyncProblem } from "../api";
import { Banner } from "../components/Banner";
import { Button } from "../components/Button";
import { Spinner } from "../components/Spinner";
import { useFocusOnMount } from "../components/useFocusOnMount";
import { formatNumber } from "../format";
import { AuthLayout } from "./AuthLayout";

/** How often the screen asks whether the download has finished (the app keeps syncing in the background). */
const POLL_MS = 3_000;

type Props = { serverUrl: string; clinicName: string | null; records: number; problem: SyncProblem | null; onStatus: (s: AppStatus) => void };

export function JoiningScreen({ serverUrl, clinicName, records, problem, onStatus }: Props) {
  const { t } = useTranslation();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const timer = window.setInterval(() => {
      void api.appStatus().then((r) => r.status === "ok" && r.data.stage !== "joining" && onStatus(r.data));
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [onStatus]);

  const retry = async () => {
    setBusy(true);
    const r = await api.continueJoin();
    setBusy(false);
    if (r.status === "ok") onStatus(r.data);
  };

  return (
    <AuthLayout>
      <h1 ref={heading} tabIndex={-1}>
        {t("join.downloadingTitle", { clinic: clinicName ?? t("join.theClinic") })}
      </h1>
      <p className="lead">{t("join.downloadingBody", { server: serverUrl })}</p>
      {problem ? (
        <Banner kind={problem.code === "offline" ? "info" : "warning"} title={t(`sync.problem.${problem.code}`)}>
          {problem.message}
        </Banner>
      ) : (
        <Spinner decorative />
      )}
      <p className="muted" role="status">
        {t("join.received", { n: formatNumber(records) })}
      </p>
      <Button variant="primary" busy={busy} onClick={() => void retry()}>
        {t("join.retry")}
      </Button>
    </AuthLayout>
  );
}
