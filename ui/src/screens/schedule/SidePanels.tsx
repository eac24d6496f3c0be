// Beside the calendar: the waiting room (arrival order, live waiting times), the clinician's day (with their calendar
// subscription link), the waitlist.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppointmentCard, type WaitingPatient, type WaitlistEntry } from "../../api";
import { clock } from "../../clock";
import { Button } from "../../components/Button";
import { useSession } from "../../session/SessionContext";
import { CalendarFeedCard } from "./CalendarFeedCard";
import { hm } from "./civil";

/** Minutes waited since arrival, from the clock, so the list ticks without asking core again. */
function waited(arrivedAt: string | null, fallback: number, now: number): number {
  if (!arrivedAt) return fallback;
  const since = Date.parse(arrivedAt);
  return Number.isNaN(since) ? fallback : Math.max(0, Math.floor((now - since) / 60_000));
}

export function WaitingRoom({ version, onOpen }: { version: number; onOpen: (c: AppointmentCard) => void }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const [waiting, setWaiting] = useState<WaitingPatient[] | null>(null);
  const [now, setNow] = useState(clock.now());
  useEffect(() => {
    void run((s) => api.waitingRoom(s)).then((r) => r.status === "ok" && setWaiting(r.data));
  }, [run, version]);
  useEffect(() => {
    const timer = window.setInterval(() => setNow(clock.now()), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  if (!waiting) return null;
  if (waiting.length === 0) return <p className="muted">{t("schedule.waitingNone")}</p>;
  return (
    <ol className="queue" aria-label={t("schedule.waitingRoom")} data-testid="waiting-room">
      {waiting.map((w) => (
        <li key={w.appointment.id}>
          <button type="button" className="queue-item" onClick={() => onOpen(w.appointment)}>
            <strong>{w.appointment.patient_name}</strong>
            <span className="muted">{t("schedule.waitingFor", { who: w.appointment.clinician_name, time: hm(w.appointment.local_start) })}</span>
            <span className="queue-wait">{t("schedule.waitedMinutes", { count: waited(w.appointment.arrived_at, w.waiting_minutes, now) })}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}

/** The signed-in clinician's appointments today, and below them their calendar subscription link. */
export function MyDay({ version, onOpen }: { version: number; onOpen: (c: AppointmentCard) => void }) {
  const { run } = useSession();
  const [cards, setCards] = useState<AppointmentCard[] | null>(null);
  useEffect(() => {
    void run((s) => api.myDay(s)).then((r) => r.status === "ok" && setCards(r.data));
  }, [run, version]);
  return (
    <>
      {cards && <MyDayList cards={cards} onOpen={onOpen} />}
      <CalendarFeedCard />
    </>
  );
}

function MyDayList({ cards, onOpen }: { cards: AppointmentCard[]; onOpen: (c: AppointmentCard) => void }) {
  const { t } = useTranslation();
  if (cards.length === 0) return <p className="muted">{t("schedule.myDayNone")}</p>;
  return (
    <ol className="queue" aria-label={t("schedule.myDay")}>
      {cards.map((c) => (
        <li key={c.id}>
          <button type="button" className="queue-item" onClick={() => onOpen(c)}>
            <span className="queue-time">{hm(c.local_start)}</span>
            <strong>{c.patient_name}</strong>
            <span className="muted">{c.type_name}</span>
            <span className={`status-marker status-${c.status}`}>{t(`schedule.status.${c.status}`)}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}

export function WaitlistList({ version, onAdd }: { version: number; onAdd: (() => void) | null }) {
  const { t } = useTranslation();
  const { run } = useSession();
  const [entries, setEntries] = useState<WaitlistEntry[] | null>(null);
  const [mine, setMine] = useState(0);
  useEffect(() => {
    void run((s) => api.listWaitlist(s)).then((r) => r.status === "ok" && setEntries(r.data));
  }, [run, version, mine]);
  return (
    <div>
      {onAdd && (
        <Button variant="primary" onClick={onAdd}>
          {t("schedule.waitlistAdd")}
        </Button>
      )}
      {entries && entries.length === 0 && <p className="muted">{t("schedule.waitlistNone")}</p>}
      {entries && entries.length > 0 && (
        <ol className="queue" aria-label={t("schedule.waitlist")}>
          {entries.map((e) => (
            <li key={e.id} className="queue-row">
              <strong>{e.patient_name}</strong>
              <span className="muted">{t("schedule.waitlistRange", { from: e.from_date, to: e.to_date })}</span>
              {onAdd && (
                <Button variant="ghost" onClick={() => void run((s) => api.removeFromWaitlist(s, e.id)).then(() => setMine((n) => n + 1))} aria-label={t("schedule.waitlistRemove", { patient: e.patient_name })}>
                  {t("common.remove")}
                </Button>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
