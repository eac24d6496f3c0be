// After a password reset: the person must choose their own password before going on.
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, type ErrorCode, type SessionInfo } from "../api";
import { Banner } from "../components/Banner";
import { Button } from "../components/Button";
import { TextField } from "../components/TextField";
import { useFocusOnMount } from "../components/useFocusOnMount";
import { errorFor, fieldErrorOf, type FieldError } from "../errors";
import { AuthLayout } from "./AuthLayout";

type Props = { info: SessionInfo; onDone: () => void; onError: (code: ErrorCode, message: string) => void };

export function ChangePasswordScreen({ info, onDone, onError }: Props) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [fieldError, setFieldError] = useState<FieldError>(null);
  const [busy, setBusy] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const err = (f: string) => errorFor(fieldError, f);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (next !== confirm) {
      setFieldError({ field: "new_password_confirmation", message: t("setup.passwordsDiffer") });
      return;
    }
    setBusy(true);
    const r = await api.changeOwnPassword(info.session_id, current, next);
    setBusy(false);
    if (r.status === "ok") return onDone();
    const fe = fieldErrorOf(r.error);
    if (fe) setFieldError(fe);
    else onError(r.error.code, r.error.message);
  };

  return (
    <AuthLayout>
      <h1 ref={heading} tabIndex={-1}>
        {t("changePassword.title")}
      </h1>
      <Banner kind="info">{t("changePassword.intro", { name: info.display_name })}</Banner>
      <form onSubmit={submit} noValidate className="form">
        <TextField label={t("changePassword.current")} field="current_password" type="password" value={current} onChange={setCurrent} error={err("current_password")} autoComplete="current-password" required />
        <TextField label={t("changePassword.new")} field="new_password" type="password" value={next} onChange={setNext} error={err("new_password")} hint={t("staff.passwordHint")} autoComplete="new-password" required />
        <TextField label={t("changePassword.confirm")} field="new_password_confirmation" type="password" value={confirm} onChange={setConfirm} error={err("new_password_confirmation")} autoComplete="new-password" required />
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={busy}>
            {t("changePassword.submit")}
          </Button>
        </div>
      </form>
    </AuthLayout>
  );
}
