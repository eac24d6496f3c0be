// Shown once after setup: the recovery key in large groups, to write down or print before going on.
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Banner } from "../components/Banner";
import { Button } from "../components/Button";
import { Checkbox } from "../components/Checkbox";
import { RecoveryKeyGroups } from "../components/RecoveryKeyGroups";
import { useFocusOnMount } from "../components/useFocusOnMount";
import { AuthLayout } from "./AuthLayout";

export function RecoveryKeyShownScreen({ recoveryKey, onDone }: { recoveryKey: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [confirmed, setConfirmed] = useState(false);
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <AuthLayout wide>
      <h1 ref={heading} tabIndex={-1}>
        {t("recoveryShown.title")}
      </h1>
      <Banner kind="warning" title={t("recoveryShown.onceTitle")}>
        {t("recoveryShown.onceBody")}
      </Banner>
      <RecoveryKeyGroups value={recoveryKey} label={t("recoveryShown.keyLabel")} />
      <ol className="steps">
        <li>{t("recoveryShown.step1")}</li>
        <li>{t("recoveryShown.step2")}</li>
        <li>{t("recoveryShown.step3")}</li>
      </ol>
      <div className="no-print">
        <Button onClick={() => window.print()}>{t("recoveryShown.print")}</Button>
        <Checkbox field="recovery_key_confirmed" label={t("recoveryShown.confirm")} checked={confirmed} onChange={setConfirmed} />
        <div className="form-actions">
          <Button variant="primary" disabled={!confirmed} onClick={onDone} aria-describedby={confirmed ? undefined : "recovery-continue-hint"}>
            {t("recoveryShown.continue")}
          </Button>
          {!confirmed && (
            <p id="recovery-continue-hint" className="muted">
              {t("recoveryShown.continueHint")}
            </p>
          )}
        </div>
      </div>
    </AuthLayout>
  );
}
