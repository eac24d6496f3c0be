// The top level: asks app_status which screen to show (setup, recovery, sign-in…), then the signed-in shell.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppStatus, type SessionInfo } from "./api";
import { Spinner } from "./components/Spinner";
import { useToast } from "./components/Toast";
import { errorTitle } from "./errors";
import { ChangePasswordScreen } from "./screens/ChangePasswordScreen";
import { JoiningScreen } from "./screens/JoiningScreen";
import { LoginScreen } from "./screens/LoginScreen";
import { QuarantinedScreen } from "./screens/QuarantinedScreen";
import { RecoveryKeyEntryScreen } from "./screens/RecoveryKeyEntryScreen";
import { RecoveryKeyShownScreen } from "./screens/RecoveryKeyShownScreen";
import { SetupScreen } from "./screens/SetupScreen";
import { UnavailableScreen } from "./screens/UnavailableScreen";
import { Shell } from "./screens/Shell";
import { SessionProvider } from "./session/SessionContext";

type Stage =
  | { kind: "loading" }
  | { kind: "status"; status: AppStatus }
  | { kind: "recovery_key"; key: string }
  | { kind: "change_password"; info: SessionInfo }
  | { kind: "signed_in"; info: SessionInfo };

export function App() {
  const { t } = useTranslation();
  const toast = useToast();
  const [stage, setStage] = useState<Stage>({ kind: "loading" });

  const refresh = useCallback(async () => {
    const started = performance.now();
    const r = await api.appStatus().catch((e: unknown) => ({
      status: "error" as const,
      error: { code: "internal" as const, message: String(e), field: null },
    }));
    // How long opening the database took, as the page saw it (read by scripts/bench-app).
    performance.measure("clinic-desk:app-status", { start: started });
    if (r.status === "ok") setStage({ kind: "status", status: r.data });
    else setStage({ kind: "status", status: { stage: "unavailable", message: r.error.message } });
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signedIn = useCallback((info: SessionInfo) => {
    setStage(info.must_change_password ? { kind: "change_password", info } : { kind: "signed_in", info });
  }, []);

  const signedOut = useCallback(
    (expired: boolean) => {
      if (!expired) toast.show("info", t("session.signedOut"));
      void refresh();
    },
    [refresh, toast, t],
  );

  switch (stage.kind) {
    case "loading":
      return (
        <main className="centered-page">
          <Spinner label={t("common.loading")} />
        </main>
      );
    case "recovery_key":
      return <RecoveryKeyShownScreen recoveryKey={stage.key} onDone={() => void refresh()} />;
    case "change_password":
      return (
        <ChangePasswordScreen
          info={stage.info}
          onDone={() => setStage({ kind: "signed_in", info: { ...stage.info, must_change_password: false } })}
          onError={(code, message) => {
            toast.show("error", errorTitle(t, code), message);
            void refresh();
          }}
        />
      );
    case "signed_in":
      return (
        <SessionProvider key={stage.info.session_id} info={stage.info} onSignedOut={signedOut}>
          <Shell />
        </SessionProvider>
      );
    case "status": {
      const status = stage.status;
      switch (status.stage) {
        case "setup_needed":
          return <SetupScreen onDone={(key) => setStage({ kind: "recovery_key", key })} onStatus={(s) => setStage({ kind: "status", status: s })} />;
        case "ready":
          return <LoginScreen clinicName={status.clinic_name} onSignedIn={signedIn} />;
        case "joining":
          return (
            <JoiningScreen
              serverUrl={status.server_url}
              clinicName={status.clinic_name ?? null}
              records={status.records}
              problem={status.problem ?? null}
              onStatus={(s) => setStage({ kind: "status", status: s })}
            />
          );
        case "needs_recovery_key":
          return <RecoveryKeyEntryScreen message={status.message} onStatus={(s) => setStage({ kind: "status", status: s })} />;
        case "quarantined":
          return <QuarantinedScreen message={status.message} onStatus={(s) => setStage({ kind: "status", status: s })} />;
        case "unavailable":
          return <UnavailableScreen message={status.message} onRetry={() => void refresh()} />;
      }
    }
  }
}
