// The month overview: a week per row, each day with its number of appointments (and cancellations, no-shows,
// closures); a day opens the day view.
import { useTranslation } from "react-i18next";
import type { DayCount } from "../../api";
import { addDays, formatDay, mondayOf } from "./civil";

type Props = { month: string; counts: DayCount[]; today: string; onOpen: (date: string) => void };

export function MonthGrid({ month, counts, today, onOpen }: Props) {
  const { t } = useTranslation();
  const first = `${month.slice(0, 7)}-01`;
  const start = mondayOf(first);
  const days = Array.from({ length: 42 }, (_, i) => addDays(start, i)).filter((d, i) => i < 35 || d.slice(0, 7) === month.slice(0, 7));
  const byDate = new Map(counts.map((c) => [c.date, c]));
  const headers = Array.from({ length: 7 }, (_, i) => formatDay(addDays(start, i), "short").split(" ")[0]);
  return (
    <div className="month-grid" role="group" aria-label={t("schedule.monthLabel")}>
      {headers.map((h, i) => (
        <div key={i} className="month-head" aria-hidden="true">
          {h}
        </div>
      ))}
      {days.map((d) => {
        const c = byDate.get(d);
        const inMonth = d.slice(0, 7) === month.slice(0, 7);
        return (
          <button key={d} type="button" className={`month-day${inMonth ? "" : " month-day-other"}${d === today ? " month-day-today" : ""}${c?.closed ? " month-day-closed" : ""}`} onClick={() => onOpen(d)} aria-current={d === today ? "date" : undefined}>
            <span className="month-day-number">{formatDay(d, "short")}</span>
            {c && c.appointments > 0 && <span className="month-count">{t("schedule.monthAppointments", { count: c.appointments })}</span>}
            {c && c.cancelled + c.no_show > 0 && <span className="month-count muted">{t("schedule.monthCancelled", { count: c.cancelled + c.no_show })}</span>}
            {c?.closed && <span className="month-count">{t("schedule.closedShort")}</span>}
          </button>
        );
      })}
    </div>
  );
}
