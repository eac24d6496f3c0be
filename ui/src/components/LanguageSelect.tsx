// The language picker (English / Français), saved for the next start.
import { useTranslation } from "react-i18next";
import { LANGUAGES, setLanguage, type Language } from "../i18n";
import { Select } from "./Select";

export function LanguageSelect({ className }: { className?: string }) {
  const { t, i18n } = useTranslation();
  return (
    <Select
      className={className}
      label={t("common.language")}
      field="language"
      value={i18n.language}
      options={LANGUAGES.map((l) => ({ value: l, label: t(`languages.${l}`) }))}
      onChange={(v) => setLanguage(v as Language)}
    />
  );
}
