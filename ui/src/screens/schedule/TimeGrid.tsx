// The time grid of the day and week views: one column per clinician (day) or per day (week), a row per slot. Empty
// slots are buttons (click or Enter books; arrow keys move between them), appointments are buttons coloured by
// type with a status marker, and can be dragged onto a slot to move them. The today line marks the clinic's now.
import { useTranslation } from "react-i18next";
import type { AppointmentCard, LocalPeriod } from "../../api";
import { useRef, useState } from "react";
import { at, clockText, dateOf, formatDay, hm, minutesOf } from "./civil";

export type GridColumn = {
  key: string;
  label: string;
  date: string;
  clinicianId: string;
  clinicianName: string;
  open: LocalPeriod[];
  appointments: AppointmentCard[];
  closed: string | null;
  onLeave: boolean;
};

type Props = {
  columns: GridColumn[];
  slotMinutes: number;
  /** The clinic's date and minutes now, for the today line. */
  now: { date: string; minutes: number };
  canBook: boolean;
  onBook: (column: GridColumn, start: string) => void;
  onOpen: (card: AppointmentCard) => void;
  onMove: (card: AppointmentCard, column: GridColumn, start: string) => void;
  label: string;
};

const DRAG_TYPE = "application/x-clinic-appointment";

function isOpen(column: GridColumn, minutes: number, length: number): boolean {
  if (column.closed) return false;
  return column.open.some((p) => {
    const start = dateOf(p.start) < column.date ? 0 : minutesOf(p.start);
    const end = dateOf(p.end) > column.date ? 24 * 60 : minutesOf(p.end);
    return minutes >= start && minutes + length <= end;
  });
}

/** The rows shown: 07:00–19:00, widened to every open period and appointment of the columns. */
function range(columns: GridColumn[], slot: number): [number, number] {
  let first = 7 * 60;
  let last = 19 * 60;
  for (const c of columns) {
    for (const p of c.open) {
      first = Math.min(first, dateOf(p.start) < c.date ? 0 : minutesOf(p.start));
      last = Math.max(last, dateOf(p.end) > c.date ? 24 * 60 : minutesOf(p.end));
    }
    for (const a of c.appointments) {
      first = Math.min(first, minutesOf(a.local_start));
      last = Math.max(last, dateOf(a.local_end) > c.date ? 24 * 60 : minutesOf(a.local_end));
    }
  }
  return [Math.floor(first / slot) * slot, Math.ceil(last / slot) * slot];
}

export function TimeGrid({ columns, slotMinutes, now, canBook, onBook, onOpen, onMove, label }: Props) {
  const { t } = useTranslation();
  const [first, last] = range(columns, slotMinutes);
  const rows = Math.max(1, (last - first) / slotMinutes);
  const times = Array.from({ length: rows }, (_, i) => first + i * slotMinutes);
  const rowOf = (minutes: number) => Math.floor((minutes - first) / slotMinutes) + 1;
  // While an appointment is dragged, the others let the drop through to the slot under them.
  const [dragging, setDragging] = useState(false);
  const dragged = useRef<string | null>(null);
  const endDrag = () => {
    dragged.current = null;
    setDragging(false);
  };

  // Arrow keys move between slot buttons (one tab stop per column); Enter or Space books.
  const onKeyDown = (e: React.KeyboardEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement;
    const col = target.dataset.col;
    const row = target.dataset.row;
    if (col === undefined || row === undefined) return;
    const moves: Record<string, [number, number]> = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    const next = e.currentTarget.querySelector<HTMLElement>(`[data-col="${Number(col) + move[0]}"][data-row="${Number(row) + move[1]}"]`);
    next?.focus();
  };

  return (
    <div className={`time-grid${dragging ? " time-grid-dragging" : ""}`} role="group" aria-label={label} onKeyDown={onKeyDown} style={{ gridTemplateColumns: `4.5rem repeat(${columns.length}, minmax(10rem, 1fr))` }}>
      <div className="time-grid-corner" aria-hidden="true" />
      {columns.map((c) => (
        <div key={c.key} className="time-grid-head">
          <span className="time-grid-head-name">{c.label}</span>
          {c.closed && <span className="time-grid-tag">{t("schedule.closed", { name: c.closed })}</span>}
          {c.onLeave && <span className="time-grid-tag">{t("schedule.onLeave")}</span>}
        </div>
      ))}
      <div className="time-grid-times" aria-hidden="true" style={{ gridTemplateRows: `repeat(${rows}, var(--slot-height))` }}>
        {times.map((m) => (
          <span key={m} className={m % 60 === 0 ? "time-label time-label-hour" : "time-label"}>
            {m % 60 === 0 ? clockText(m) : ""}
          </span>
        ))}
      </div>
      {columns.map((c, ci) => {
        const showNow = c.date === now.date && now.minutes >= first && now.minutes < last;
        return (
          <div key={c.key} className="time-grid-column" style={{ gridTemplateRows: `repeat(${rows}, var(--slot-height))` }} data-testid={`column-${c.key}`}>
            {times.map((m, ri) => {
              const open = isOpen(c, m, slotMinutes);
              const start = at(c.date, m);
              const name = t("schedule.bookSlot", { time: clockText(m), who: c.clinicianName, day: formatDay(c.date, "short") });
              return (
                <button
                  key={m}
                  type="button"
                  className={`slot${open ? " slot-open" : " slot-closed"}${m % 60 === 0 ? " slot-hour" : ""}`}
                  style={{ gridRow: `${ri + 1}` }}
                  aria-label={open ? name : `${name} (${t("schedule.notWorking")})`}
                  data-col={ci}
                  data-row={ri}
                  tabIndex={ri === 0 ? 0 : -1}
                  disabled={!canBook}
                  onClick={() => onBook(c, start)}
                  onDragOver={(e) => {
                    if (e.dataTransfer.types.includes(DRAG_TYPE)) {
                      e.preventDefault();
                      e.dataTransfer.dropEffect = "move";
                    }
                  }}
                  onDrop={(e) => {
                    const id = e.dataTransfer.getData(DRAG_TYPE);
                    const card = columns.flatMap((x) => x.appointments).find((a) => a.id === id);
                    if (!card) return;
                    e.preventDefault();
                    endDrag();
                    onMove(card, c, start);
                  }}
                />
              );
            })}
            {layout(c.appointments).map(({ card, lane, lanes }) => {
              const startRow = rowOf(Math.max(first, minutesOf(card.local_start)));
              const endMinutes = dateOf(card.local_end) > c.date ? last : minutesOf(card.local_end);
              const span = Math.max(1, Math.ceil((endMinutes - Math.max(first, minutesOf(card.local_start))) / slotMinutes));
              const held = card.status !== "cancelled" && card.status !== "no_show";
              return (
                <button
                  key={card.id}
                  type="button"
                  className={`appointment appointment-${card.status}${card.overbooked ? " appointment-overbooked" : ""}`}
                  style={{ gridRow: `${startRow} / span ${span}`, borderLeftColor: card.colour, marginLeft: `${(lane / lanes) * 100}%`, width: `${100 / lanes}%` }}
                  draggable={canBook && card.status === "booked"}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DRAG_TYPE, card.id);
                    e.dataTransfer.effectAllowed = "move";
                    dragged.current = card.id;
                    window.setTimeout(() => dragged.current === card.id && setDragging(true), 0);
                  }}
                  onDragEnd={endDrag}
                  onClick={() => onOpen(card)}
                  data-testid="appointment"
                  data-status={card.status}
                >
                  <span className="appointment-colour" style={{ backgroundColor: card.colour }} aria-hidden="true" />
                  <span className="appointment-time">
                    {hm(card.local_start)}
                    <span className="visually-hidden">{`–${hm(card.local_end)}`}</span>
                  </span>{" "}
                  <span className={`appointment-patient${held ? "" : " appointment-struck"}`}>{card.patient_name}</span>{" "}
                  <span className="appointment-type">{card.type_name}</span>{" "}
                  <span className={`status-marker status-${card.status}`}>{t(`schedule.status.${card.status}`)}</span>
                  {card.special_needs.interpreter_language && " "}
                  {card.special_needs.interpreter_language && (
                    <span className="appointment-flag">
                      <span className="visually-hidden">{t("schedule.interpreter", { language: "" })}</span>
                      {card.special_needs.interpreter_language.toUpperCase()}
                    </span>
                  )}
                </button>
              );
            })}
            {showNow && (
              <div className="now-line" style={{ gridRow: `${rowOf(now.minutes)}`, marginTop: `calc(var(--slot-height) * ${((now.minutes - first) % slotMinutes) / slotMinutes})` }} role="presentation" data-testid="now-line" />
            )}
          </div>
        );
      })}
    </div>
  );
}

/** Side-by-side lanes for appointments that overlap (overbooked, or cancelled ones under new ones). */
function layout(cards: AppointmentCard[]): { card: AppointmentCard; lane: number; lanes: number }[] {
  const sorted = [...cards].sort((a, b) => a.local_start.localeCompare(b.local_start));
  const placed: { card: AppointmentCard; lane: number; lanes: number }[] = [];
  let group: typeof placed = [];
  let groupEnd = "";
  const flush = () => {
    const lanes = Math.max(1, ...group.map((g) => g.lane + 1));
    for (const g of group) placed.push({ ...g, lanes });
    group = [];
  };
  for (const card of sorted) {
    if (group.length && card.local_start >= groupEnd) flush();
    const laneEnds: string[] = [];
    for (const g of group) laneEnds[g.lane] = laneEnds[g.lane] && laneEnds[g.lane]! > g.card.local_end ? laneEnds[g.lane]! : g.card.local_end;
    let lane = laneEnds.findIndex((end) => end <= card.local_start);
    if (lane < 0) lane = laneEnds.length;
    group.push({ card, lane, lanes: 1 });
    if (group.length === 1 || card.local_end > groupEnd) groupEnd = card.local_end;
  }
  flush();
  return placed;
}
