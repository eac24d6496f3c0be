// The reception desk's main screen: the calendar (day per clinician, week of one clinician, month), booking by
// clicking an empty slot, moving by drag (or from the appointment), and beside it the waiting room, "my day",
// the waitlist and the free-slot search.
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type AppointmentCard, type Clash, type DayCount, type DayView, type ScheduleDay, type WaitlistOffer } from "../../api";
import { clock } from "../../clock";
import { Banner } from "../../components/Banner";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { Select } from "../../components/Select";
import { LeaveAffectedPanel } from "../admin/AffectedActions";
import { useToast } from "../../components/Toast";
import { useSession } from "../../session/SessionContext";
import { AppointmentDialog } from "./AppointmentDialog";
import { BookingDialog, type BookingStart } from "./BookingDialog";
import { addDays, addMonths, clinicNow, formatDay, formatLocal, formatMonth, mondayOf } from "./civil";
import { ClashList } from "./ClashList";
import { FindSlotPanel } from "./FindSlotPanel";
import { MonthGrid } from "./MonthGrid";
import type { PickedPatient } from "./PatientPicker";
import { MyDay, WaitingRoom, WaitlistList } from "./SidePanels";
import { TimeGrid, type GridColumn } from "./TimeGrid";
import { useScheduleRefs } from "./useScheduleRefs";
import { WaitlistDialog } from "./WaitlistDialog";
import { WaitlistOffersDialog } from "./WaitlistOffersDialog";

type View = "day" | "week" | "month";
type Side = "waiting" | "myday" | "waitlist" | "find" | "leave";
type Move = { card: AppointmentCard; clinicianId: string; start: string; clashes: Clash[] | null; error: string | null };

export function ScheduleScreen({ bookFor }: { bookFor?: PickedPatient | undefined }) {
  const { t } = useTranslation();
  const { run, can, settings, info } = useSession();
  const toast = useToast();
  const refs = useScheduleRefs();
  const zone = settings?.time_zone ?? "UTC";
  const [now, setNow] = useState(() => clinicNow(zone, clock.now()));
  const [view, setView] = useState<View>("day");
  const [date, setDate] = useState(now.date);
  const [weekClinician, setWeekClinician] = useState("");
  const [day, setDay] = useState<DayView | null>(null);
  const [week, setWeek] = useState<ScheduleDay[] | null>(null);
  const [month, setMonth] = useState<DayCount[] | null>(null);
  const [version, setVersion] = useState(0);
  const [booking, setBooking] = useState<BookingStart | null>(null);
  const [opened, setOpened] = useState<AppointmentCard | null>(null);
  const [move, setMove] = useState<Move | null>(null);
  const [offers, setOffers] = useState<WaitlistOffer[]>([]);
  const [waitlistOpen, setWaitlistOpen] = useState(false);
  const isClinician = info.role === "doctor" || info.role === "nurse";
  const [side, setSide] = useState<Side>(isClinician ? "myday" : "waiting");
  const canBook = can("appointment_write");
  const refresh = useCallback(() => setVersion((v) => v + 1), []);

  // The today line and live waiting times follow the clinic's clock.
  useEffect(() => {
    setNow(clinicNow(zone, clock.now()));
    const timer = window.setInterval(() => setNow(clinicNow(zone, clock.now())), 30_000);
    return () => window.clearInterval(timer);
  }, [zone]);

  const clinicianForWeek = weekClinician || (isClinician ? info.staff_id : refs.clinicians[0]?.staff_id) || "";
  useEffect(() => {
    let live = true;
    if (view === "day") void run((s) => api.scheduleDay(s, date)).then((r) => live && r.status === "ok" && setDay(r.data));
    if (view === "week" && clinicianForWeek) void run((s) => api.scheduleWeek(s, clinicianForWeek, date)).then((r) => live && r.status === "ok" && setWeek(r.data));
    if (view === "month") void run((s) => api.scheduleMonth(s, Number(date.slice(0, 4)), Number(date.slice(5, 7)), null)).then((r) => live && r.status === "ok" && setMonth(r.data));
    return () => {
      live = false;
    };
  }, [run, view, date, clinicianForWeek, version]);

  const columns: GridColumn[] =
    view === "day"
      ? (day?.columns ?? []).map((c) => ({ key: c.clinician_id, label: c.clinician_name, date: c.date, clinicianId: c.clinician_id, clinicianName: c.clinician_name, open: c.open, appointments: c.appointments, closed: day?.closure ?? null, onLeave: c.on_leave }))
      : (week ?? []).map((d) => ({ key: d.date, label: formatDay(d.date, "short"), date: d.date, clinicianId: d.clinician_id, clinicianName: d.clinician_name, open: d.open, appointments: d.appointments, closed: d.open.length === 0 && d.appointments.length === 0 ? null : null, onLeave: d.on_leave }));
  const slotMinutes = Math.min(...refs.clinicians.map((c) => c.slot_minutes), 15) || 15;

  const step = (n: number) => setDate((d) => (view === "month" ? addMonths(d, n) : addDays(view === "week" ? mondayOf(d) : d, n * (view === "week" ? 7 : 1))));
  const title = view === "day" ? formatDay(date) : view === "week" ? t("schedule.weekOf", { date: formatDay(mondayOf(date)) }) : formatMonth(date);

  const doMove = async (m: Move, confirm: boolean) => {
    const r = await run((s) => api.rescheduleAppointment(s, m.card.id, { start: m.start, clinician_id: m.clinicianId, duration_minutes: null }, confirm), { quiet: true });
    if (r.status === "error") {
      setMove({ ...m, clashes: null, error: r.error.message });
      return;
    }
    if (r.data.outcome === "needs_confirmation") {
      setMove({ ...m, clashes: r.data.value, error: null });
      return;
    }
    setMove(null);
    setOpened(null);
    toast.show("success", t("schedule.moved", { patient: m.card.patient_name, when: formatLocal(r.data.value.appointment.local_start) }));
    refresh();
    if (r.data.value.waitlist_offers.length > 0) setOffers(r.data.value.waitlist_offers);
  };
  const startMove = (card: AppointmentCard, clinicianId: string, start: string) => void doMove({ card, clinicianId, start: start.slice(0, 16), clashes: null, error: null }, false);

  const sideTabs: { id: Side; label: string; show: boolean }[] = [
    { id: "waiting", label: t("schedule.waitingRoom"), show: true },
    { id: "myday", label: t("schedule.myDay"), show: isClinician },
    { id: "waitlist", label: t("schedule.waitlist"), show: true },
    { id: "find", label: t("schedule.findSlot"), show: true },
    { id: "leave", label: t("schedule.admin.leaveTab"), show: canBook },
  ];
  const visibleTabs = sideTabs.filter((x) => x.show);

  return (
    <section className="page schedule-page">
      <header className="page-header page-header-row schedule-toolbar">
        <div>
          <h1 tabIndex={-1}>{t("schedule.title")}</h1>
          <p className="schedule-date" aria-live="polite" data-testid="schedule-date">
            {title}
          </p>
        </div>
        <div className="page-actions">
          <div className="segmented" role="group" aria-label={t("schedule.viewLabel")}>
            {(["day", "week", "month"] as const).map((v) => (
              <Button key={v} variant={view === v ? "primary" : "secondary"} aria-pressed={view === v} onClick={() => setView(v)}>
                {t(`schedule.view.${v}`)}
              </Button>
            ))}
          </div>
          {view === "week" && (
            <Select label={t("schedule.clinician")} field="week_clinician" className="field-compact" value={clinicianForWeek} onChange={setWeekClinician} options={refs.clinicians.map((c) => ({ value: c.staff_id, label: c.display_name }))} />
          )}
          <Button onClick={() => step(-1)} aria-label={t(`schedule.previous.${view}`)}>
            ‹
          </Button>
          <Button onClick={() => setDate(now.date)}>{t("schedule.today")}</Button>
          <Button onClick={() => step(1)} aria-label={t(`schedule.next.${view}`)}>
            ›
          </Button>
        </div>
      </header>

      {bookFor && canBook && <Banner kind="info" title={t("schedule.bookingFor", { patient: bookFor.name })} />}
      {refs.loaded && refs.types.length === 0 && <Banner kind="warning" title={t("schedule.noTypes")} />}
      {refs.loaded && refs.clinicians.length === 0 && <Banner kind="info" title={t("schedule.noClinicians")} />}

      <div className="schedule-layout">
        <div className="schedule-main">
          {view === "month" ? (
            <MonthGrid
              month={date}
              counts={month ?? []}
              today={now.date}
              onOpen={(d) => {
                setDate(d);
                setView("day");
              }}
            />
          ) : (
            <TimeGrid
              columns={columns}
              slotMinutes={slotMinutes}
              now={now}
              canBook={canBook}
              label={t("schedule.gridLabel", { title })}
              onBook={(c, start) => setBooking({ clinicianId: c.clinicianId, start, patient: bookFor ?? null })}
              onOpen={setOpened}
              onMove={(card, c, start) => startMove(card, c.clinicianId, start)}
            />
          )}
          {view !== "month" && canBook && <p className="muted schedule-help">{t("schedule.gridHelp")}</p>}
        </div>
        <aside className="schedule-side" aria-label={t("schedule.sideLabel")}>
          <div role="tablist" aria-label={t("schedule.sideLabel")} className="tabs">
            {visibleTabs.map((x, i) => (
              <button
                key={x.id}
                type="button"
                role="tab"
                id={`side-tab-${x.id}`}
                aria-selected={side === x.id}
                aria-controls={`side-panel-${x.id}`}
                tabIndex={side === x.id ? 0 : -1}
                className="tab"
                onClick={() => setSide(x.id)}
                onKeyDown={(e) => {
                  const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
                  if (!d) return;
                  const next = visibleTabs[(i + d + visibleTabs.length) % visibleTabs.length]!;
                  setSide(next.id);
                  document.getElementById(`side-tab-${next.id}`)?.focus();
                }}
              >
                {x.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`side-panel-${side}`} aria-labelledby={`side-tab-${side}`} className="tab-panel">
            {side === "waiting" && <WaitingRoom version={version} onOpen={setOpened} />}
            {side === "myday" && <MyDay version={version} onOpen={setOpened} />}
            {side === "waitlist" && <WaitlistList version={version} onAdd={canBook ? () => setWaitlistOpen(true) : null} />}
            {side === "leave" && <LeaveAffectedPanel today={now.date} version={version} onChanged={refresh} />}
            {side === "find" && (
              <FindSlotPanel
                today={now.date}
                refs={refs}
                canBook={canBook}
                onPick={(slot, typeId) => setBooking({ clinicianId: slot.clinician_id, start: slot.local_start, typeId, patient: bookFor ?? null })}
              />
            )}
          </div>
        </aside>
      </div>

      <BookingDialog
        open={booking !== null}
        initial={booking}
        refs={refs}
        onClose={() => setBooking(null)}
        onBooked={() => {
          setBooking(null);
          refresh();
        }}
      />
      <AppointmentDialog card={opened} refs={refs} onClose={() => setOpened(null)} onChanged={refresh} onMove={startMove} onOffers={setOffers} />
      <Dialog
        open={move !== null}
        title={t("schedule.moveTitle")}
        onClose={() => setMove(null)}
        actions={
          <>
            <Button onClick={() => setMove(null)}>{t("common.cancel")}</Button>
            {move?.clashes && (
              <Button variant="danger" onClick={() => move && void doMove(move, true)}>
                {t("schedule.moveAnyway")}
              </Button>
            )}
          </>
        }
      >
        {move && <p>{t("schedule.moveWhat", { patient: move.card.patient_name, when: formatLocal(move.start) })}</p>}
        {move?.clashes && <ClashList clashes={move.clashes} />}
        {move?.error && (
          <Banner kind="danger" title={t("schedule.moveRefused")}>
            {move.error}
          </Banner>
        )}
      </Dialog>
      <WaitlistOffersDialog offers={offers} refs={refs} onClose={() => setOffers([])} onBooked={refresh} />
      <WaitlistDialog
        open={waitlistOpen}
        today={now.date}
        refs={refs}
        onClose={() => setWaitlistOpen(false)}
        onAdded={() => {
          setWaitlistOpen(false);
          refresh();
        }}
      />
    </section>
  );
}
