// The frame of the screens before sign-in: the app's name, a centred card, and the language picker.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { LanguageSelect } from "../components/LanguageSelect";

export function AuthLayout({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="auth-page">
      <header className="auth-brand">
        <span className="brand-mark" aria-hidden="true">+</span>
        <span className="brand-name">{t("app.name")}</span>
      </header>
      <main className={`auth-card${wide ? " auth-card-wide" : ""}`}>{children}</main>
      <footer className="auth-footer">
        <LanguageSelect className="language-inline" />
      </footer>
    </div>
  );
}
