// The part of the day a search or waitlist entry wants: any, morning, afternoon, evening.
import { useTranslation } from "react-i18next";
import type { TimeOfDay } from "../../api";
import { Select } from "../../components/Select";

export function TimeOfDayField({ value, onChange, field }: { value: TimeOfDay; onChange: (v: TimeOfDay) => void; field: string }) {
  const { t } = useTranslation();
  const kinds = ["any", "morning", "afternoon", "evening"] as const;
  return (
    <Select
      label={t("schedule.timeOfDay")}
      field={field}
      value={value.kind}
      onChange={(k) => onChange({ kind: k as (typeof kinds)[number] })}
      options={kinds.map((k) => ({ value: k, label: t(`schedule.partOfDay.${k}`) }))}
    />
  );
}
