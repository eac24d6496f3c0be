// The clashes core found for a time, listed for the person to confirm an overbooking (or choose another time).
import { useTranslation } from "react-i18next";
import type { Clash } from "../../api";
import { Banner } from "../../components/Banner";

export function ClashList({ clashes, title }: { clashes: Clash[]; title?: string }) {
  const { t } = useTranslation();
  return (
    <Banner kind="warning" title={title ?? t("schedule.clashesTitle")}>
      <ul className="clash-list" data-testid="clashes">
        {clashes.map((c, i) => (
          <li key={i}>
            <strong>{t(`schedule.clash.${c.kind}`)}</strong>: {c.message}
          </li>
        ))}
      </ul>
      <p>{t("schedule.overbookHint")}</p>
    </Banner>
  );
}
