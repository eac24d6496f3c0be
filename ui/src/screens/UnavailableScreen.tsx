// When something outside the app stops it (keychain unreachable, newer database): say what, and offer a retry.
import { useTranslation } from "react-i18next";
import { Banner } from "../components/Banner";
import { Button } from "../components/Button";
import { useFocusOnMount } from "../components/useFocusOnMount";
import { AuthLayout } from "./AuthLayout";

export function UnavailableScreen({ message, onRetry }: { message: string; onRetry: () => void }) {
  const { t } = useTranslation();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <AuthLayout>
      <h1 ref={heading} tabIndex={-1}>
        {t("unavailable.title")}
      </h1>
      <Banner kind="danger">{message}</Banner>
      <p>{t("unavailable.help")}</p>
      <div className="form-actions">
        <Button variant="primary" onClick={onRetry}>
          {t("common.tryAgain")}
        </Button>
      </div>
    </AuthLayout>
  );
}
