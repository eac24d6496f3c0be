// Sign-in: the clinic's name, user name and password; wrong-password and too-many-attempts messages.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, type SessionInfo } from "../api";
import { Banner } from "../components/Banner";
import { Button } from "../components/Button";
import { TextField } from "../components/TextField";
import { useFocusOnMount } from "../components/useFocusOnMount";
import { errorFor, errorTitle, fieldErrorOf, type FieldError } from "../errors";
import { AuthLayout } from "./AuthLayout";

export function LoginScreen({ clinicName, onSignedIn }: { clinicName: string; onSignedIn: (info: SessionInfo) => void }) {
  const { t } = useTranslation();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [fieldError, setFieldError] = useState<FieldError>(null);
  const [problem, setProblem] = useState<{ title: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useFocusOnMount<HTMLInputElement>();

  // A performance mark in the frame that first shows the form, read by scripts/bench-app (launch time).
  useEffect(() => {
    const frame = requestAnimationFrame(() => performance.mark("clinic-desk:sign-in-shown"));
    return () => cancelAnimationFrame(frame);
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    setFieldError(null);
    setBusy(true);
    const r = await api.login(username, password);
    setBusy(false);
    if (r.status === "ok") {
      onSignedIn(r.data);
      return;
    }
    const fe = fieldErrorOf(r.error);
    if (fe) {
      setFieldError(fe);
      return;
    }
    setPassword("");
    const title =
      r.error.code === "unauthenticated" ? t("login.wrongTitle") : r.error.code === "throttled" ? t("login.throttledTitle") : errorTitle(t, r.error.code);
    setProblem({ title, message: r.error.message });
  };

  return (
    <AuthLayout>
      <p className="clinic-name" data-testid="clinic-name">
        {clinicName}
      </p>
      <h1>{t("login.title")}</h1>
      {problem && (
        <Banner kind="danger" title={problem.title} id="login-problem">
          {problem.message}
        </Banner>
      )}
      <form onSubmit={submit} noValidate className="form">
        <TextField
          ref={first}
          label={t("staff.username")}
          field="username"
          value={username}
          onChange={setUsername}
          error={errorFor(fieldError, "username")}
          autoComplete="username"
          autoCapitalize="off"
          spellCheck={false}
          required
        />
        <TextField
          label={t("staff.password")}
          field="password"
          type="password"
          value={password}
          onChange={setPassword}
          error={errorFor(fieldError, "password")}
          autoComplete="current-password"
          required
        />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy} className="btn-block">
            {t("login.submit")}
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}
