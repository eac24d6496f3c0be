// i18next set-up: English and French catalogs, the language chosen from the saved choice or the system's.
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import fr from "./fr.json";

export const LANGUAGES = ["en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "clinic-desk.language";

function initialLanguage(): Language {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    if (saved === "en" || saved === "fr") return saved;
  } catch {
    // Storage may be unavailable; fall back to the system language.
  }
  const system = (navigator.languages?.[0] ?? navigator.language ?? "en").toLowerCase();
  return system.startsWith("fr") ? "fr" : "en";
}

export function setLanguage(language: Language): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // Not saved; the choice still applies to this window.
  }
  void i18next.changeLanguage(language);
}

export function initI18n(): typeof i18next {
  const lng = initialLanguage();
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, fr: { translation: fr } },
    lng,
    fallbackLng: "en",
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = lng;
  i18next.on("languageChanged", (l) => {
    document.documentElement.lang = l;
  });
  return i18next;
}
