// The idle lock: hides everything and asks the signed-in person for their password (or to sign out).
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api";
import { Banner } from "../components/Banner";
import { Button } from "../components/Button";
import { TextField } from "../components/TextField";
import { useFocusOnMount } from "../components/useFocusOnMount";
import { errorTitle, fieldErrorOf } from "../errors";
import { useSession } from "../session/SessionContext";
import { AuthLayout } from "./AuthLayout";

export function LockScreen() {
  const { t } = useTranslation();
  const { info, run, unlocked, signOut } = useSession();
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [problem, setProblem] = useState<{ title: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useFocusOnMount<HTMLInputElement>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setProblem(null);
    setBusy(true);
    // A wrong password is core's `validation` error on `password`; `unauthenticated` means the session
    // has ended, and `run` then signs out with a message.
    const r = await run((s) => api.unlockSession(s, password), { quiet: true });
    setBusy(false);
    setPassword("");
    if (r.status === "ok") {
      unlocked();
      return;
    }
    if (r.error.code === "unauthenticated") return;
    const fe = fieldErrorOf(r.error);
    // This screen's input has its own id (the hidden screen behind it may have a `password` field).
    if (fe) setError(fe.message);
    else setProblem({ title: errorTitle(t, r.error.code), message: r.error.message });
    input.current?.focus();
  };

  return (
    <AuthLayout>
      <h1>{t("lock.title")}</h1>
      <p className="lead">{t("lock.intro", { name: info.display_name })}</p>
      {problem && (
        <Banner kind="danger" title={problem.title} id="unlock-problem">
          {problem.message}
        </Banner>
      )}
      <form onSubmit={submit} noValidate className="form">
        <TextField
          ref={input}
          label={t("staff.password")}
          field="unlock_password"
          type="password"
          value={password}
          onChange={setPassword}
          error={error}
          autoComplete="current-password"
          required
        />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy}>
            {t("lock.unlock")}
          </Button>
          <Button variant="ghost" onClick={signOut}>
            {t("lock.signOutInstead")}
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}
